// The CLI prints nothing of TensorFlow.js's own: not the cpu backend's "looks like you are running TensorFlow.js in
// Node.js" banner, not a backend's initialisation notice, not tfjs-layers' shape warnings. tfjs prints them through
// helpers that its PROD flag silences. compiler/cli.ts imports this module first, so the flag is set before any other
// module's top-level code (or a later import's) can run tfjs; it stays set with --verbose, which is about sqz's own
// stack traces.
import * as tf from '@tensorflow/tfjs-core';

tf.env().set('PROD', true);
