// `bootcase build`: build what is missing now rather than on the first boot (a CI image, a
// machine about to go offline). In this repository it is `npm run build`; the installed package
// rebuilds its VMM and guests into the cache (the kernels are reused unless their inputs changed).
import { buildOnFirstUse, installed } from '../config.js';
import { helpText, parse } from './args.js';
import { BUILD } from './specs.js';

export async function buildCommand(argv: string[]): Promise<number> {
  if (parse(BUILD, argv).help) {
    console.log(helpText(BUILD));
    return 0;
  }
  if (installed) await buildOnFirstUse(true);
  else await (await import('../../images/build.js')).build();
  return 0;
}
