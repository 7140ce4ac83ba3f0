/**
 * The script of the results page and the present view (one script, one CSP hash): applies
 * each `results` event to the server-rendered rows, keeps an honest live indicator, and
 * offers full screen where the page has the button. Kept ES2017 and dependency-free; the
 * server sends complete state in every event, so a reconnect needs no catching up.
 *
 * The indicator says "Live" only while events arrive: the stream sends a `keepalive` event
 * every `data-keepalive` ms (sse.ts), so when two are missed (a frozen server or a dead
 * connection that the browser has not noticed) it says "Reconnecting…" and opens a new
 * stream. It writes its text only when the state changes, so a screen reader hears each
 * change once (role="status"), not a rewrite every retry. Once the poll has closed its
 * results are final: the badge says so and no longer follows the connection.
 */
import { CLOCK_JS, PERCENTAGES_JS } from './format.js';

export const PAGE_SCRIPT = `
(function(){
var m=document.querySelector('main'),st=document.getElementById('status'),tx=st.querySelector('.st'),
tot=document.getElementById('total'),unit=document.getElementById('unit'),upd=document.getElementById('updated'),
cl=document.getElementById('closed'),fs=document.getElementById('fullscreen'),rows={},nf=new Intl.NumberFormat('en-US'),
ka=+m.dataset.keepalive||15000,shown='',watch=0,es=null,final=false;
[].forEach.call(document.querySelectorAll('li[data-id]'),function(li){rows[li.dataset.id]=li});
${PERCENTAGES_JS}
${CLOCK_JS}
function status(c,t){if(final&&c!=='closed')return;if(shown===c+t)return;shown=c+t;st.hidden=false;st.className='status '+c;tx.textContent=t}
function count(el,to){var from=+el.dataset.v||0;el.dataset.v=to;if(from===to)return;var t0=performance.now();
(function step(now){var k=Math.min(1,(now-t0)/600),e=1-Math.pow(1-k,3);el.textContent=nf.format(Math.round(from+(to-from)*e));if(k<1)requestAnimationFrame(step)})(t0)}
function render(r){var max=0,p=pcts(r.options.map(function(o){if(o.votes>max)max=o.votes;return o.votes}));
r.options.forEach(function(o,k){var li=rows[o.id];if(!li)return;var c=li.querySelector('.n'),up=o.votes>(+c.dataset.v||0);
li.querySelector('.fill').style.width=(r.total?o.votes*100/r.total:0).toFixed(2)+'%';li.querySelector('.pct').textContent=p[k]+'%';
li.querySelector('.u').textContent=o.votes===1?' vote':' votes';count(c,o.votes);li.classList.toggle('leader',max>0&&o.votes===max);
if(up){li.classList.remove('bump');void li.offsetWidth;li.classList.add('bump')}});
count(tot,r.total);unit.textContent=r.total===1?' vote':' votes';
upd.textContent=r.updatedAt?'Updated '+clock(r.updatedAt):'No votes yet';
var closed=r.status==='closed';document.body.classList.toggle('is-closed',closed);if(cl)cl.hidden=!closed;
document.body.classList.toggle('is-stale',r.stale);
if(closed){status('closed','Final result');final=true}
else if(r.stale)status('stale',r.updatedAt?'Stale · database unreachable':'Waiting for database');else status('live','Live')}
function alive(){clearTimeout(watch);watch=setTimeout(function(){status('off','Reconnecting…');if(es)es.close();connect()},2*ka+Math.min(ka,4000))}
function connect(){var s=new EventSource(m.dataset.events);es=s;alive();
s.addEventListener('results',function(e){if(es!==s)return;alive();render(JSON.parse(e.data))});
s.addEventListener('keepalive',function(){if(es===s)alive()});
s.onerror=function(){if(es!==s)return;status('off','Reconnecting…');if(s.readyState===2){clearTimeout(watch);setTimeout(connect,5000+Math.random()*10000)}}}
if(fs&&document.fullscreenEnabled){fs.hidden=false;fs.addEventListener('click',function(){
if(document.fullscreenElement)document.exitFullscreen();else document.documentElement.requestFullscreen()})}
if(window.EventSource){status('off','Connecting…');connect()}
})();
`;
