// The one OpenCV call ALE's vector env makes: cv::resize with INTER_AREA on uint8 grey or RGB frames.
//
// ale-py's wheel links OpenCV for this single function; depending on all of OpenCV (or Debian's libopencv,
// which needs root to install) for it would make set-up slower and less portable than the rest of the build.
// This header gives ALE's source the types and the function it uses, computing area interpolation the way
// OpenCV defines it for downscaling (each output pixel is the coverage-weighted mean of the input pixels under
// it, accumulated in float per row, then per column band, and rounded half to even), so that observations
// equal ale-py's byte for byte. The parity test (packages/ale-node/test/parity.test.ts) is what holds it to that.
#ifndef MEMPO_OPENCV_SHIM_HPP
#define MEMPO_OPENCV_SHIM_HPP

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <stdexcept>
#include <vector>

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#endif

#define CV_8UC1 1
#define CV_8UC3 3

namespace cv {

enum InterpolationFlags { INTER_AREA = 3 };

struct Size {
  int width;
  int height;
};

/// A view of caller-owned interleaved uint8 pixels (ALE keeps the buffers; nothing is allocated here).
struct Mat {
  int rows;
  int cols;
  int channels;
  std::uint8_t* data;

  Mat(int rows_, int cols_, int type, void* data_)
      : rows(rows_), cols(cols_), channels(type), data(static_cast<std::uint8_t*>(data_)) {}

  Size size() const { return Size{cols, rows}; }
};

namespace shim {

/// One contribution of an input index to an output index, with its weight.
struct AreaWeight {
  int out;
  int in;
  float weight;
};

/// Weights along one axis of `inSize` → `outSize` samples (outSize ≤ inSize): output i covers the input
/// interval [i·s, (i+1)·s) with s = inSize / outSize; partial input samples at both ends count by the
/// fraction covered (ignored below 1e-3, as OpenCV does, so that rounding noise adds no extra taps).
inline std::vector<AreaWeight> areaWeights(int inSize, int outSize) {
  const double scale = 1.0 / (static_cast<double>(outSize) / inSize);
  std::vector<AreaWeight> weights;
  for (int out = 0; out < outSize; ++out) {
    const double start = out * scale;
    const double end = start + scale;
    const double cell = std::min(scale, inSize - start);
    int first = static_cast<int>(std::ceil(start));
    int last = static_cast<int>(std::floor(end));
    last = std::min(last, inSize - 1);
    first = std::min(first, last);
    if (first - start > 1e-3) weights.push_back({out, first - 1, static_cast<float>((first - start) / cell)});
    for (int in = first; in < last; ++in) weights.push_back({out, in, static_cast<float>(1.0 / cell)});
    if (end - last > 1e-3)
      weights.push_back({out, last, static_cast<float>(std::min(std::min(end - last, 1.0), cell) / cell)});
  }
  return weights;
}

/// One axis's weights as a fixed number of taps per output sample (padding taps weigh 0 and add exactly 0
/// after the real ones), so that the horizontal pass has no data-dependent branches.
struct AxisTaps {
  int inSize = 0, outSize = 0, taps = 0;
  std::vector<int> index;     // [outSize * taps]
  std::vector<float> weight;  // [outSize * taps]
};

/// The taps of one axis, computed once per thread and size pair (ALE resizes every frame alike).
inline const AxisTaps& cachedTaps(int inSize, int outSize) {
  thread_local std::deque<AxisTaps> cache;  // a deque keeps references valid as it grows
  for (const AxisTaps& a : cache)
    if (a.inSize == inSize && a.outSize == outSize) return a;
  const std::vector<AreaWeight> weights = areaWeights(inSize, outSize);
  AxisTaps a;
  a.inSize = inSize;
  a.outSize = outSize;
  std::vector<int> count(outSize, 0);
  for (const AreaWeight& w : weights) a.taps = std::max(a.taps, ++count[w.out]);
  a.index.assign(static_cast<std::size_t>(outSize) * a.taps, 0);
  a.weight.assign(static_cast<std::size_t>(outSize) * a.taps, 0.0f);
  std::fill(count.begin(), count.end(), 0);
  for (const AreaWeight& w : weights) {
    const std::size_t slot = static_cast<std::size_t>(w.out) * a.taps + count[w.out]++;
    a.index[slot] = w.in;
    a.weight[slot] = w.weight;
  }
  cache.push_back(std::move(a));
  return cache.back();
}

/// The vertical weights, in table order, computed once per thread and size pair.
inline const std::vector<AreaWeight>& cachedAreaWeights(int inSize, int outSize) {
  struct Entry {
    int inSize, outSize;
    std::vector<AreaWeight> weights;
  };
  thread_local std::deque<Entry> cache;
  for (const Entry& e : cache)
    if (e.inSize == inSize && e.outSize == outSize) return e.weights;
  cache.push_back({inSize, outSize, areaWeights(inSize, outSize)});
  return cache.back().weights;
}

/// Round half to even (the default rounding mode), then saturate, as OpenCV's saturate_cast<uchar>(float).
/// The SSE conversion is one instruction; std::nearbyint must guard the floating-point environment and made
/// the whole resize several times slower.
inline std::uint8_t roundToByte(float v) {
#if defined(__SSE__) || defined(__x86_64__)
  const int r = _mm_cvtss_si32(_mm_set_ss(v));
#else
  const int r = static_cast<int>(std::lrint(v));
#endif
  return static_cast<std::uint8_t>(std::clamp(r, 0, 255));
}

}  // namespace shim

/// Area-interpolated downscale of `src` into `dst` (same channel count; `dsize` must be `dst.size()`).
///
/// Each source row's horizontal sums are computed once (OpenCV recomputes rows shared by two output rows;
/// the values are the same) and each output sample accumulates its taps in a register, in table order, so
/// every float operation happens in OpenCV's order and the bytes come out the same.
inline void resize(const Mat& src, Mat& dst, Size dsize, double, double, int interpolation) {
  if (interpolation != INTER_AREA || src.channels != dst.channels || dsize.width != dst.cols ||
      dsize.height != dst.rows || dst.cols > src.cols || dst.rows > src.rows)
    throw std::invalid_argument("mempo's cv::resize shim supports only INTER_AREA downscaling into dst");
  const int cn = src.channels;
  const shim::AxisTaps& xs = shim::cachedTaps(src.cols, dst.cols);
  const std::vector<shim::AreaWeight>& ys = shim::cachedAreaWeights(src.rows, dst.rows);
  const int width = dst.cols * cn;
  const int taps = xs.taps;
  thread_local std::vector<float> rows, bandSum, line;
  thread_local std::vector<int> rowDone;
  rows.resize(static_cast<std::size_t>(src.rows) * width);
  line.resize(static_cast<std::size_t>(src.cols));
  rowDone.assign(src.rows, 0);
  bandSum.assign(width, 0.0f);
  auto rowSums = [&](int y) -> const float* {
    float* out = rows.data() + static_cast<std::size_t>(y) * width;
    if (rowDone[y]) return out;
    rowDone[y] = 1;
    const std::uint8_t* in = src.data + static_cast<std::size_t>(y) * src.cols * cn;
    for (int c = 0; c < cn; ++c) {
      for (int x = 0; x < src.cols; ++x) line[x] = in[x * cn + c];
      const int* index = xs.index.data();
      const float* weight = xs.weight.data();
      for (int dx = 0; dx < dst.cols; ++dx, index += taps, weight += taps) {
        float acc = 0.0f;
        for (int t = 0; t < taps; ++t) acc += line[index[t]] * weight[t];
        out[dx * cn + c] = acc;
      }
    }
    return out;
  };
  auto emit = [&](int outRow) {
    std::uint8_t* out = dst.data + static_cast<std::size_t>(outRow) * width;
    for (int i = 0; i < width; ++i) out[i] = shim::roundToByte(bandSum[i]);
  };
  int currentRow = ys.empty() ? 0 : ys.front().out;
  for (const shim::AreaWeight& y : ys) {
    const float* rowSum = rowSums(y.in);
    const float beta = y.weight;
    if (y.out != currentRow) {
      emit(currentRow);
      for (int i = 0; i < width; ++i) bandSum[i] = beta * rowSum[i];
      currentRow = y.out;
    } else {
      for (int i = 0; i < width; ++i) bandSum[i] += beta * rowSum[i];
    }
  }
  emit(currentRow);
}

}  // namespace cv

#endif
