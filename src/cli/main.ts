/** `gastric-ai` command line: one sub-command per verb, each in its own module. */
import { Command } from 'commander';
import { registerAnalyzeCommand } from './analyze-command';
import { registerBenchCommand } from './bench-command';
import { registerCalibrateCommand } from './calibrate-command';
import { registerConfigCommands } from './config-command';
import { registerDemoCommand } from './demo-command';
import { registerEvaluateCommand } from './evaluate-command';
import { registerReportCommand } from './report-command';
import { registerServeCommand } from './serve-command';
import { registerSynthCommand } from './synth-command';
import { registerTrainCommand } from './train-command';

export async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('gastric-ai')
    .description('AI node for gastric cancer studies next to a PACS (demo models are synthetic: not for clinical use)')
    .showHelpAfterError()
    .exitOverride((err) => {
      // commander already printed the message; keep its exit code (0 for --help/--version).
      process.exit(err.exitCode);
    });
  registerConfigCommands(program);
  registerServeCommand(program);
  registerSynthCommand(program);
  registerDemoCommand(program);
  registerReportCommand(program);
  registerAnalyzeCommand(program);
  registerBenchCommand(program);
  registerEvaluateCommand(program);
  registerTrainCommand(program);
  registerCalibrateCommand(program);
  await program.parseAsync(argv);
}
