import { at } from '../read.js';
import { containerRule } from '../production.js';

export default containerRule({
  id: 'read-only-root-fs',
  description: "Containers have a read-only root filesystem, so an intruder cannot change the image's files.",
  remediation: 'Set `securityContext.readOnlyRootFilesystem: true` and mount an `emptyDir` where the program must write (e.g. /tmp).',
  includeInit: true,
  problem(c) {
    return at(c.c, 'securityContext', 'readOnlyRootFilesystem') === true ? undefined : { message: 'root filesystem is writable', field: ['securityContext'] };
  },
});
