// Bypass class "upgrade": see test/regressions/corpus.ts for the attempts and why each matters.
import { runCorpusClass } from './harness.js';

runCorpusClass('upgrade');
