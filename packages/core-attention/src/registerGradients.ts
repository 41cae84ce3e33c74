// tfjs-core's Node entry (CommonJS) carries no gradient registrations, and its ESM file that registers them
// cannot be loaded by Node directly. The union package `@tensorflow/tfjs` registers every gradient in tfjs'
// global registry when it loads, so importing it once here gives every mempo user working `tf.grad` on any
// backend, in plain Node and under vitest alike.
import '@tensorflow/tfjs';
