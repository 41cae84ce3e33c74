import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nativeDeviceLine, useBackend } from '../src/backend.js';
import { chooseNativeBuild, loadedCudaLibraries, NATIVE_PACKAGES, nvidiaGpus, parseDeviceLog } from '../src/nativeBuild.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('native build selection', () => {
  const gpuBuilt = (pkg: string) => pkg === NATIVE_PACKAGES.gpu;
  const nothingBuilt = () => false;

  it('prefers the CUDA build once its addon is built, and MEMPO_TENSORFLOW_BUILD overrides', () => {
    expect(chooseNativeBuild({}, gpuBuilt)).toBe('gpu');
    expect(chooseNativeBuild({}, nothingBuilt)).toBe('cpu');
    expect(chooseNativeBuild({ MEMPO_TENSORFLOW_BUILD: 'cpu' }, gpuBuilt)).toBe('cpu');
    expect(chooseNativeBuild({ MEMPO_TENSORFLOW_BUILD: 'gpu' }, nothingBuilt)).toBe('gpu');
    expect(() => chooseNativeBuild({ MEMPO_TENSORFLOW_BUILD: 'cuda' }, gpuBuilt)).toThrow("MEMPO_TENSORFLOW_BUILD must be 'cpu' or 'gpu' (got 'cuda')");
  });

  it('on this machine (set up without --gpu) loads the CPU build, and the benchmark tables say so', async () => {
    expect(chooseNativeBuild({})).toBe('cpu');
    const info = await useBackend('tensorflow');
    expect([info.provider, info.device]).toEqual(['@tensorflow/tfjs-node', 'CPU']);
    expect(nativeDeviceLine()).toBe('native backend: @tensorflow/tfjs-node, device CPU');
  });

  it("lists the driver's GPUs by model, none without the driver", () => {
    const root = mkdtempSync(join(tmpdir(), 'mempo-nvidia-'));
    dirs.push(root);
    for (const [bus, model] of [['0000:1b:00.0', 'NVIDIA H200'], ['0000:04:00.0', 'Tesla T4']]) {
      mkdirSync(join(root, bus!));
      writeFileSync(join(root, bus!, 'information'), `Model: \t\t ${model}\nIRQ:   \t\t 34\nGPU UUID: \t GPU-1\n`);
    }
    expect(nvidiaGpus(root)).toEqual(['Tesla T4', 'NVIDIA H200']);
    expect(nvidiaGpus(join(root, 'missing'))).toEqual([]);
  });
});

describe("TensorFlow's device log", () => {
  it('reads the GPU devices and the cuDNN version it created and loaded', () => {
    const log = [
      'I tensorflow/core/common_runtime/gpu/gpu_device.cc:1929] Created device /job:localhost/replica:0/task:0/device:GPU:0 with 139264 MB memory:  -> device: 0, name: NVIDIA H200, pci bus id: 0000:1b:00.0, compute capability: 9.0',
      'I external/local_xla/xla/stream_executor/cuda/cuda_dnn.cc:454] Loaded cuDNN version 8904',
    ].join('\n');
    expect(parseDeviceLog(log)).toEqual({ gpus: ['GPU:0 NVIDIA H200 (136 GB, compute capability 9.0)'], cudnn: '8.9.4', problem: null });
  });

  it('says why no GPU was used', () => {
    const log = 'I external/local_tsl/tsl/cuda/cudart_stub.cc:31] Could not find cuda drivers on your machine, GPU will not be used.\n';
    expect(parseDeviceLog(log)).toEqual({ gpus: [], cudnn: null, problem: 'Could not find cuda drivers on your machine, GPU will not be used.' });
  });

  it('names the CUDA libraries mapped into a process', () => {
    const maps = [
      '7f00-7f10 r-xp 00000000 fd:01 1 /repo/node_modules/@tensorflow/tfjs-node-gpu/deps/nvidia/cudnn/lib/libcudnn.so.8',
      '7f10-7f20 r-xp 00000000 fd:01 2 /repo/node_modules/@tensorflow/tfjs-node-gpu/deps/nvidia/cuda_runtime/lib/libcudart.so.12',
      '7f20-7f30 r--p 00000000 fd:01 2 /repo/node_modules/@tensorflow/tfjs-node-gpu/deps/nvidia/cuda_runtime/lib/libcudart.so.12',
      '7f30-7f40 r-xp 00000000 fd:01 3 /repo/node_modules/@tensorflow/tfjs-node-gpu/deps/lib/libtensorflow_cc.so.2',
    ].join('\n');
    expect(loadedCudaLibraries(maps)).toEqual(['libcudart.so.12', 'libcudnn.so.8']);
  });
});
