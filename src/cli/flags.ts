// Flag parsing with the conventions every subcommand shares: strict, no positionals, -h/--help
// prints the usage, and any mistake becomes a UsageError (exit 2 with the usage hint).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../node/usage-error.ts';

type Options = NonNullable<ParseArgsConfig['options']>;
type HelpOption = { help: { type: 'boolean'; short: 'h' } };
type Values<O extends Options> = ReturnType<typeof parseArgs<{ options: O & HelpOption; strict: true; allowPositionals: false }>>['values'];

/** Parsed values, or null when help was asked for and printed. */
export function parseFlags<const O extends Options>(argv: string[], options: O, usage: string): Values<O> | null {
  let values: Values<O>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { ...options, help: { type: 'boolean', short: 'h' } } as O & HelpOption,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if ((values as { help?: boolean }).help) {
    console.log(usage);
    return null;
  }
  return values;
}

export function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required`);
  return value;
}
