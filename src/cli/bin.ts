// The `scmv` executable's body (bin/scmv.js runs its compiled twin).
import { main } from './main.js';

await main(process.argv);
