/** `gastric-ai serve [--config F]`: runs the node until SIGINT/SIGTERM. */
import * as path from 'path';
import { Command } from 'commander';
import { loadConfig } from '../config/load';
import { createLogger } from '../logging/logger';
import { startNode } from '../node/node';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run the node: DIMSE listener and/or DICOMweb poller → analysis → SR/SEG/SC back to the PACS, with the API')
    .option('-c, --config <file>', 'configuration override file (YAML or JSON); also GASTRIC_AI_CONFIG')
    .action(async (opts: { config?: string }) => {
      const { config, sources } = loadConfig({ file: opts.config });
      const logger = createLogger({ level: config.logging.level, component: 'node' });
      const node = await startNode(config, { baseDir: REPO_ROOT, logger, configSources: sources });
      logger.info('node running', { api: node.apiUrl, dimsePort: node.dimsePort, aet: config.node.aet });
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      logger.info('stopping');
      await node.stop();
    });
}
