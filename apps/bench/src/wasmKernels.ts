import * as tf from '@tensorflow/tfjs-core';

type Info = tf.TensorInfo;
type KernelCall = (inputs: Record<string, Info>, attrs?: Record<string, unknown>) => Info;

/**
 * Kernels the wasm backend lacks for training mempo's agents, composed from kernels it has. tfjs 4.22's
 * wasm backend has no `Conv2DBackpropFilter`, so a CNN encoder (MiniGrid conv stack, Nature CNN) cannot be
 * trained on it; this registers one. Call once after `@tensorflow/tfjs-backend-wasm` has loaded.
 */
export function registerWasmTrainingKernels(): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return;
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilter });
}

/**
 * dW[kh, kw, ci, co] = Σ_{b, oh, ow} x[b, oh·s + kh, ow·s + kw, ci] · dy[b, oh, ow, co] (tfjs has no
 * gradient for dilated convolutions, so the attrs carry no dilation).
 * For each filter tap (kh, kw) the strided slice of the (padded) input that the tap touched is one
 * `[B·OH·OW, Ci]ᵀ · [B·OH·OW, Co]` matmul, so the work is KH·KW large matmuls, not a loop over elements.
 */
function conv2dBackpropFilter({ inputs, backend, attrs }: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): Info {
  const { x, dy } = inputs as { x: Info; dy: Info };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (dataFormat !== 'NHWC') throw new Error(`wasm Conv2DBackpropFilter supports dataFormat NHWC only (got ${dataFormat})`);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const wasm = backend as { disposeData(dataId: object): void };
  const call = (name: string): KernelCall => {
    const kernel = tf.getKernel(name, 'wasm');
    if (!kernel) throw new Error(`the wasm backend has no '${name}' kernel`);
    return (kernelInputs, kernelAttrs = {}) =>
      kernel.kernelFunc({ inputs: kernelInputs, backend: backend as tf.KernelBackend, attrs: kernelAttrs as tf.NamedAttrMap }) as Info;
  };
  const [stridedSlice, reshape, batchMatMul, concat, padV2] = ['StridedSlice', 'Reshape', 'BatchMatMul', 'Concat', 'PadV2'].map(call) as KernelCall[];
  const temporaries: Info[] = [];
  const keep = (t: Info) => (temporaries.push(t), t);

  const { top, bottom, left, right } = info.padInfo;
  const input =
    top || bottom || left || right
      ? keep(padV2!({ x }, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 }))
      : x;
  const { batchSize: B, outHeight: OH, outWidth: OW, inChannels: Ci, outChannels: Co } = info;
  const { filterHeight: KH, filterWidth: KW, strideHeight: sh, strideWidth: sw } = info;
  const rows = B * OH * OW;
  const gradOut = keep(reshape!({ x: dy }, { shape: [1, rows, Co] })); // [1, B·OH·OW, Co]
  const taps: Info[] = [];
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      const begin = [0, kh, kw, 0];
      const end = [B, kh + sh * (OH - 1) + 1, kw + sw * (OW - 1) + 1, Ci];
      const touched = keep(stridedSlice!({ x: input }, { begin, end, strides: [1, sh, sw, 1], beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0 }));
      const flat = keep(reshape!({ x: touched }, { shape: [1, rows, Ci] })); // [1, B·OH·OW, Ci]
      taps.push(keep(batchMatMul!({ a: flat, b: gradOut }, { transposeA: true, transposeB: false }))); // [1, Ci, Co]
    }
  }
  // Concat takes its inputs as a list; one tap needs no concat at all.
  const stacked = taps.length === 1 ? taps[0]! : keep(concat!(taps as unknown as Record<string, Info>, { axis: 0 }));
  const result = reshape!({ x: stacked }, { shape: [KH, KW, Ci, Co] });
  for (const t of temporaries) wasm.disposeData(t.dataId);
  return result;
}
