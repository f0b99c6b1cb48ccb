/**
 * The first start without any credential configured: an admin token is written to a file only the node's user can
 * read (0600), reused on later starts, and its path (never the token) is logged. So a fresh install is closed, yet
 * whoever can read the data directory can open the dashboard.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Logger } from '../../logging/logger';
import { generateToken, readTokenFile, sha256Hex, TokenEntry } from './tokens';

export const ADMIN_TOKEN_FILE = 'api-admin-token';

/** The token entry of `<dataDir>/api-admin-token`, creating the file when it does not exist. */
export function ensureAdminToken(dataDir: string, logger: Logger): { entry: TokenEntry; file: string } {
  const file = path.join(dataDir, ADMIN_TOKEN_FILE);
  let token: string;
  try {
    token = generateToken();
    // wx: never overwrite a token another start wrote a moment ago.
    fs.writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
    logger.warn('no API credential configured: wrote an admin token (role admin) to a file only this user can read', { file });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const mode = fs.statSync(file).mode & 0o777;
    if (mode & 0o077) {
      fs.chmodSync(file, 0o600);
      logger.warn('the API admin token file was readable by others: its mode is now 0600', { file, was: mode.toString(8) });
    }
    token = readTokenFile(file, 'api admin token');
    logger.info('no API credential configured: the admin token is in its file', { file });
  }
  return { entry: { name: 'admin (token file)', roles: ['admin'], sha256: sha256Hex(token) }, file };
}
