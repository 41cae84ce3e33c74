// N-API binding of ALE's vector env (ale::vector::EnvVectorizer): N games stepped in ALE's own thread pool
// with its standard preprocessing. The TypeScript wrapper (src/aleVectorEnv.ts) validates options and owns
// the output arrays; this file only moves data between them and ALE.
#include <napi.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "ale/common/Log.hpp"
#include "ale/vector/env_vectorizer.hpp"
#include "envState.hpp"
#include "version.hpp"

namespace mempo_ale {
namespace {

using ale::vector::AutoresetMode;
using ale::vector::BatchResult;
using ale::vector::EnvVectorizer;

template <typename T>
T* typedArrayData(const Napi::Object& out, const char* name, std::size_t length) {
  const Napi::Value value = out.Get(name);
  if (!value.IsTypedArray())
    throw Napi::TypeError::New(out.Env(), std::string("outputs.") + name + " must be a typed array");
  Napi::TypedArray array = value.As<Napi::TypedArray>();
  if (array.ByteLength() != length * sizeof(T))
    throw Napi::RangeError::New(out.Env(), std::string("outputs.") + name + " must hold " +
                                              std::to_string(length * sizeof(T)) + " bytes (got " +
                                              std::to_string(array.ByteLength()) + ")");
  return reinterpret_cast<T*>(static_cast<uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset());
}

int intOption(const Napi::Object& o, const char* name) {
  const Napi::Value v = o.Get(name);
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string("options.") + name + " must be a number");
  return v.As<Napi::Number>().Int32Value();
}

bool boolOption(const Napi::Object& o, const char* name) {
  const Napi::Value v = o.Get(name);
  if (!v.IsBoolean()) throw Napi::TypeError::New(o.Env(), std::string("options.") + name + " must be a boolean");
  return v.As<Napi::Boolean>().Value();
}

/// Where a batch's results are copied: the wrapper's arrays, pinned by references while this env lives.
struct Outputs {
  Napi::ObjectReference keep;
  uint8_t* obs = nullptr;
  uint8_t* finalObs = nullptr;
  int32_t* reward = nullptr;
  uint8_t* terminated = nullptr;
  uint8_t* truncated = nullptr;
  int32_t* lives = nullptr;
  int32_t* frameNumber = nullptr;
  int32_t* episodeFrameNumber = nullptr;
};

class VectorEnv : public Napi::ObjectWrap<VectorEnv> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "VectorEnv",
                       {
                           InstanceMethod<&VectorEnv::SetOutputs>("setOutputs"),
                           InstanceMethod<&VectorEnv::Reset>("reset"),
                           InstanceMethod<&VectorEnv::Step>("step"),
                           InstanceMethod<&VectorEnv::ActionSet>("actionSet"),
                           InstanceMethod<&VectorEnv::GetState>("getState"),
                           InstanceMethod<&VectorEnv::SetState>("setState"),
                           InstanceMethod<&VectorEnv::Close>("close"),
                       });
  }

  explicit VectorEnv(const Napi::CallbackInfo& info) : Napi::ObjectWrap<VectorEnv>(info) {
    Napi::Env env = info.Env();
    if (info.Length() != 1 || !info[0].IsObject())
      throw Napi::TypeError::New(env, "VectorEnv takes one options object");
    const Napi::Object o = info[0].As<Napi::Object>();
    const Napi::Value rom = o.Get("romPath");
    if (!rom.IsString()) throw Napi::TypeError::New(env, "options.romPath must be a string");
    numEnvs_ = intOption(o, "numEnvs");
    const bool sameStep = boolOption(o, "sameStepAutoreset");
    try {
      vec_ = std::make_unique<EnvVectorizer>(
          rom.As<Napi::String>().Utf8Value(), numEnvs_, /*batch_size=*/0, intOption(o, "numThreads"),
          /*thread_affinity_offset=*/-1, sameStep ? AutoresetMode::SameStep : AutoresetMode::NextStep,
          intOption(o, "imgHeight"), intOption(o, "imgWidth"), intOption(o, "stackNum"), boolOption(o, "grayscale"),
          intOption(o, "frameskip"), boolOption(o, "maxpool"), intOption(o, "noopMax"), boolOption(o, "useFireReset"),
          boolOption(o, "episodicLife"), boolOption(o, "lifeLossInfo"), boolOption(o, "rewardClipping"),
          intOption(o, "maxNumFramesPerEpisode"),
          static_cast<float>(o.Get("repeatActionProbability").As<Napi::Number>().DoubleValue()),
          boolOption(o, "fullActionSpace"));
    } catch (const Napi::Error&) {
      throw;
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, std::string("ALE could not load the game: ") + e.what());
    }
    obsSize_ = vec_->stacked_obs_size();
    sameStep_ = sameStep;
  }

 private:
  Napi::Value SetOutputs(const Napi::CallbackInfo& info) {
    open(info.Env(), "setOutputs");
    const Napi::Object out = info[0].As<Napi::Object>();
    const std::size_t n = static_cast<std::size_t>(numEnvs_);
    Outputs o;
    o.obs = typedArrayData<uint8_t>(out, "obs", n * obsSize_);
    o.finalObs = typedArrayData<uint8_t>(out, "finalObs", n * obsSize_);
    o.reward = typedArrayData<int32_t>(out, "reward", n);
    o.terminated = typedArrayData<uint8_t>(out, "terminated", n);
    o.truncated = typedArrayData<uint8_t>(out, "truncated", n);
    o.lives = typedArrayData<int32_t>(out, "lives", n);
    o.frameNumber = typedArrayData<int32_t>(out, "frameNumber", n);
    o.episodeFrameNumber = typedArrayData<int32_t>(out, "episodeFrameNumber", n);
    o.keep = Napi::Persistent(out);
    out_ = std::move(o);
    return info.Env().Undefined();
  }

  /// reset(seeds: Int32Array [P]): seed -1 keeps an env's random generator going.
  Napi::Value Reset(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    open(env, "reset");
    const Napi::Int32Array seeds = info[0].As<Napi::Int32Array>();
    if (seeds.ElementLength() != static_cast<std::size_t>(numEnvs_))
      throw Napi::RangeError::New(env, "seeds must have length numEnvs=" + std::to_string(numEnvs_));
    std::vector<int> ids(numEnvs_), s(numEnvs_);
    for (int i = 0; i < numEnvs_; ++i) {
      ids[i] = i;
      s[i] = seeds[i];
    }
    copy(env, call(env, [&] { return vec_->reset(ids, s); }), false);
    started_ = true;
    return env.Undefined();
  }

  /// step(actions: Int32Array [P]): indices into actionSet().
  Napi::Value Step(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    open(env, "step");
    if (!started_) throw Napi::Error::New(env, "step() before reset(): call reset first");
    const Napi::Int32Array actions = info[0].As<Napi::Int32Array>();
    if (actions.ElementLength() != static_cast<std::size_t>(numEnvs_))
      throw Napi::RangeError::New(env, "actions must have length numEnvs=" + std::to_string(numEnvs_));
    const int n = static_cast<int>(vec_->action_set().size());
    std::vector<ale::vector::Action> batch(numEnvs_);
    for (int i = 0; i < numEnvs_; ++i) {
      // ALE's workers throw on a bad action id and the batch then never completes: check here instead.
      if (actions[i] < 0 || actions[i] >= n)
        throw Napi::RangeError::New(env, "each action must be in 0.." + std::to_string(n - 1) + " (got " +
                                             std::to_string(actions[i]) + " for env " + std::to_string(i) + ")");
      batch[i] = ale::vector::Action{i, actions[i], 1.0f, false};
    }
    copy(env, call(env, [&] {
           vec_->send(batch);
           return vec_->recv();
         }),
         sameStep_);
    return env.Undefined();
  }

  Napi::Value ActionSet(const Napi::CallbackInfo& info) {
    open(info.Env(), "actionSet");
    const auto& set = vec_->action_set();
    Napi::Array out = Napi::Array::New(info.Env(), set.size());
    for (std::size_t i = 0; i < set.size(); ++i) out.Set(i, static_cast<int>(set[i]));
    return out;
  }

  Napi::Value GetState(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    open(env, "getState");
    if (!started_) throw Napi::Error::New(env, "getState() before reset(): call reset first");
    const std::string state = saveVectorState(*vec_);
    return Napi::Buffer<char>::Copy(env, state.data(), state.size());
  }

  Napi::Value SetState(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    open(env, "setState");
    if (!info[0].IsBuffer()) throw Napi::TypeError::New(env, "setState takes the Buffer that getState() returned");
    const Napi::Buffer<char> buf = info[0].As<Napi::Buffer<char>>();
    try {
      restoreVectorState(*vec_, std::string(buf.Data(), buf.Length()));
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, e.what());
    }
    started_ = true;
    return env.Undefined();
  }

  /// Stops and joins ALE's worker threads and frees the emulators. Safe to call twice.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    vec_.reset();
    out_.keep.Reset();
    return info.Env().Undefined();
  }

  void open(Napi::Env env, const char* op) const {
    if (!vec_) throw Napi::Error::New(env, std::string(op) + "() on a closed ALE env; create a new one");
  }

  template <typename F>
  BatchResult call(Napi::Env env, F&& f) {
    if (!out_.obs) throw Napi::Error::New(env, "setOutputs() must come before reset() and step()");
    try {
      return f();
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, std::string("ALE failed: ") + e.what());
    }
  }

  void copy(Napi::Env, BatchResult&& r, bool withFinal) {
    const int* ids = r.env_ids_data();
    for (int row = 0; row < numEnvs_; ++row) {
      const int i = ids[row];
      std::memcpy(out_.obs + i * obsSize_, r.obs_data() + row * obsSize_, obsSize_);
      out_.reward[i] = r.rewards_data()[row];
      out_.terminated[i] = r.terminations_data()[row] ? 1 : 0;
      out_.truncated[i] = r.truncations_data()[row] ? 1 : 0;
      out_.lives[i] = r.lives_data()[row];
      out_.frameNumber[i] = r.frame_numbers_data()[row];
      out_.episodeFrameNumber[i] = r.episode_frame_numbers_data()[row];
      if (withFinal && r.has_final_obs() && (out_.terminated[i] || out_.truncated[i]))
        std::memcpy(out_.finalObs + i * obsSize_, r.final_obs_data() + row * obsSize_, obsSize_);
    }
  }

  std::unique_ptr<EnvVectorizer> vec_;
  Outputs out_;
  int numEnvs_ = 0;
  std::size_t obsSize_ = 0;
  bool sameStep_ = true;
  bool started_ = false;
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // ALE greets on stderr for every emulator it creates; errors still come through as exceptions.
  ale::Logger::setMode(ale::Logger::Error);
  exports.Set("VectorEnv", VectorEnv::Define(env));
  exports.Set("aleVersion", Napi::String::New(env, ALE_VERSION));
  return exports;
}

}  // namespace
}  // namespace mempo_ale

static Napi::Object InitAleNode(Napi::Env env, Napi::Object exports) { return mempo_ale::Init(env, exports); }

NODE_API_MODULE(ale_node, InitAleNode)
