/**
 * The migrate step, whole: roles (as the admin, when one is configured), then migrations and
 * grants (as the owner). `migrate` (services/worker) and the local run call this, so both set
 * up the same roles with the same privileges.
 */
import type { Logger } from 'pino';
import type { ConfigOf } from './config/schema.js';
import type { migrateSpec } from './config/variables.js';
import { migrate, type MigrateResult } from './migrations.js';
import { Database } from './postgres.js';
import { ensureRoles, grantPrivileges, type ServiceRole } from './roles.js';

export type DatabaseSetupConfig = Pick<
  ConfigOf<typeof migrateSpec>,
  | 'postgresHost'
  | 'postgresPort'
  | 'postgresDb'
  | 'postgresUser'
  | 'postgresPassword'
  | 'postgresSslMode'
  | 'postgresSslCa'
  | 'postgresAdminUser'
  | 'postgresAdminPassword'
  | 'postgresWorkerPassword'
  | 'postgresResultPassword'
  | 'postgresBackupPassword'
>;

export interface DatabaseSetupResult extends MigrateResult {
  /** Service roles that exist and got their privileges. */
  roles: ServiceRole[];
}

export async function setUpDatabase(config: DatabaseSetupConfig, logger: Logger, applicationName = 'bernstein-migrate'): Promise<DatabaseSetupResult> {
  const passwords: Partial<Record<ServiceRole, string>> = {
    ...(config.postgresWorkerPassword ? { worker: config.postgresWorkerPassword } : {}),
    ...(config.postgresResultPassword ? { result: config.postgresResultPassword } : {}),
    ...(config.postgresBackupPassword ? { backup: config.postgresBackupPassword } : {}),
  };
  if (config.postgresAdminUser) {
    if (!config.postgresAdminPassword) throw new Error('POSTGRES_ADMIN_USER is set without POSTGRES_ADMIN_PASSWORD');
    const admin = new Database(
      { ...config, postgresUser: config.postgresAdminUser, postgresPassword: config.postgresAdminPassword, postgresPoolSize: 1 },
      logger,
      `${applicationName} (roles)`,
    );
    try {
      await admin.transaction((tx) =>
        ensureRoles(tx, { database: config.postgresDb, owner: { user: config.postgresUser, password: config.postgresPassword }, passwords }, logger),
      );
    } finally {
      await admin.close();
    }
  } else if (Object.keys(passwords).length > 0) {
    logger.warn(
      { roles: Object.keys(passwords) },
      'role passwords are set but POSTGRES_ADMIN_USER is not: roles are not created or changed here, only granted if they exist',
    );
  }
  const owner = new Database({ ...config, postgresPoolSize: 1 }, logger, applicationName);
  try {
    const result = await migrate(owner, logger);
    const roles = await owner.transaction((tx) => grantPrivileges(tx, config.postgresDb, logger));
    return { ...result, roles };
  } finally {
    await owner.close();
  }
}
