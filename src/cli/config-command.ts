/** `gastric-ai config check [--config F]`: every problem with its path and exit 1, or the effective config (secrets masked). */
import { Command } from 'commander';
import { stringify } from 'yaml';
import { ConfigError, loadConfig, maskSecrets } from '../config/load';

export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('inspect the node configuration');
  config
    .command('check')
    .description('validate the effective configuration (defaults < --config file < GASTRIC_AI__* environment)')
    .option('-c, --config <file>', 'override file (YAML or JSON); default $GASTRIC_AI_CONFIG')
    .option('--json', 'print the effective configuration as JSON')
    .action((opts: { config?: string; json?: boolean }) => {
      try {
        const { config: effective, sources } = loadConfig({ file: opts.config });
        const masked = maskSecrets(effective);
        process.stderr.write(`configuration OK (${sources.join(' < ')} < environment)\n`);
        process.stdout.write(opts.json ? `${JSON.stringify(masked, null, 2)}\n` : stringify(masked));
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        process.stderr.write(`configuration has ${err.problems.length} problem(s):\n`);
        for (const p of err.problems) process.stderr.write(`  ${p.path}: ${p.message}\n`);
        process.exitCode = 1;
      }
    });
}
