#include "envState.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <random>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "ale/environment/ale_state.hpp"

namespace mempo_ale {
namespace {

using ale::vector::EnvVectorizer;
using ale::vector::PreprocessedEnv;

// ALE keeps the preprocessing state of each env (frame buffers, noop RNG, step counters) and the sticky
// action of its emulator in private members with no accessors. An explicit template instantiation may name
// private members (C++17 [temp.explicit]/12), which lets this file read and write them without changing
// ALE's source: each tag below gets a friend function returning the member pointer.
template <typename Tag, typename Tag::type Member>
struct MemberAccess {
  friend typename Tag::type member(Tag) { return Member; }
};

#define MEMPO_MEMBER(TAG, CLASS, NAME, TYPE)             \
  struct TAG {                                           \
    using type = TYPE CLASS::*;                          \
    friend type member(TAG);                             \
  };                                                     \
  template struct MemberAccess<TAG, &CLASS::NAME>;

MEMPO_MEMBER(Envs, EnvVectorizer, envs_, std::vector<std::unique_ptr<PreprocessedEnv>>)
MEMPO_MEMBER(FirstBatch, EnvVectorizer, first_batch_, bool)
MEMPO_MEMBER(LastRecvIds, EnvVectorizer, last_recv_env_ids_, std::vector<int>)
MEMPO_MEMBER(Ale, PreprocessedEnv, ale_, std::unique_ptr<ale::ALEInterface>)
MEMPO_MEMBER(Rng, PreprocessedEnv, rng_, std::mt19937)
MEMPO_MEMBER(ElapsedSteps, PreprocessedEnv, elapsed_steps_, int)
MEMPO_MEMBER(GameOver, PreprocessedEnv, game_over_, bool)
MEMPO_MEMBER(Lives, PreprocessedEnv, lives_, int)
MEMPO_MEMBER(WasLifeLost, PreprocessedEnv, was_life_lost_, bool)
MEMPO_MEMBER(Reward, PreprocessedEnv, reward_, int)
MEMPO_MEMBER(ActionId, PreprocessedEnv, current_action_id_, int)
MEMPO_MEMBER(PaddleStrength, PreprocessedEnv, current_paddle_strength_, float)
MEMPO_MEMBER(PendingSeed, PreprocessedEnv, pending_seed_, int)
MEMPO_MEMBER(RawFrames, PreprocessedEnv, raw_frames_, std::vector<std::vector<uint8_t>>)
MEMPO_MEMBER(FrameStack, PreprocessedEnv, frame_stack_, std::vector<uint8_t>)
MEMPO_MEMBER(FrameStackIdx, PreprocessedEnv, frame_stack_idx_, int)
MEMPO_MEMBER(StackNum, PreprocessedEnv, stack_num_, int)
MEMPO_MEMBER(PlayerA, ale::StellaEnvironment, m_player_a_action, ale::Action)
MEMPO_MEMBER(PlayerB, ale::StellaEnvironment, m_player_b_action, ale::Action)
MEMPO_MEMBER(StrengthA, ale::StellaEnvironment, m_paddle_a_strength, float)
MEMPO_MEMBER(StrengthB, ale::StellaEnvironment, m_paddle_b_strength, float)

constexpr char kMagic[8] = {'M', 'P', 'A', 'L', 'E', 'v', '1', '\0'};

class Writer {
 public:
  template <typename T>
  void pod(const T& v) { out_.append(reinterpret_cast<const char*>(&v), sizeof(T)); }
  void bytes(const void* data, std::size_t n) {
    pod<uint64_t>(n);
    out_.append(static_cast<const char*>(data), n);
  }
  void text(const std::string& s) { bytes(s.data(), s.size()); }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(const std::string& in) : in_(in) {}
  template <typename T>
  T pod(const char* what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, in_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  std::string text(const char* what) {
    const auto n = pod<uint64_t>(what);
    need(n, what);
    std::string s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  void bytesInto(std::vector<uint8_t>& dst, const char* what) {
    const auto n = pod<uint64_t>(what);
    if (n != dst.size())
      throw std::invalid_argument(std::string("ALE state: ") + what + " holds " + std::to_string(n) +
                                  " bytes but this env's is " + std::to_string(dst.size()) +
                                  "; restore into an env built with the same game and options");
    need(n, what);
    std::memcpy(dst.data(), in_.data() + pos_, n);
    pos_ += n;
  }
  bool done() const { return pos_ == in_.size(); }

 private:
  void need(std::size_t n, const char* what) const {
    if (in_.size() - pos_ < n)
      throw std::invalid_argument(std::string("ALE state is truncated at ") + what +
                                  "; pass the unmodified result of getState()");
  }
  const std::string& in_;
  std::size_t pos_ = 0;
};

/// One env's saved values, decoded before anything is applied.
struct EnvSnapshot {
  std::string aleState;
  int playerA, playerB;
  float strengthA, strengthB;
  std::mt19937 rng;
  int elapsedSteps, lives, reward, actionId, pendingSeed, frameStackIdx;
  bool gameOver, wasLifeLost;
  float paddleStrength;
  std::vector<uint8_t> raw0, raw1, stack;
};

}  // namespace

std::string saveVectorState(EnvVectorizer& vec) {
  Writer w;
  w.pod(kMagic);
  const auto& envs = vec.*member(Envs{});
  w.pod<uint32_t>(static_cast<uint32_t>(envs.size()));
  for (const auto& envPtr : envs) {
    PreprocessedEnv& env = *envPtr;
    ale::ALEInterface& ale = *(env.*member(Ale{}));
    w.text(ale.cloneState(true).serialize());
    ale::StellaEnvironment& stella = *ale.environment;
    w.pod<int32_t>(stella.*member(PlayerA{}));
    w.pod<int32_t>(stella.*member(PlayerB{}));
    w.pod(stella.*member(StrengthA{}));
    w.pod(stella.*member(StrengthB{}));
    std::ostringstream rng;
    rng << env.*member(Rng{});
    w.text(rng.str());
    w.pod<int32_t>(env.*member(ElapsedSteps{}));
    w.pod<int32_t>(env.*member(Lives{}));
    w.pod<int32_t>(env.*member(Reward{}));
    w.pod<int32_t>(env.*member(ActionId{}));
    w.pod<int32_t>(env.*member(PendingSeed{}));
    w.pod<int32_t>(env.*member(FrameStackIdx{}));
    w.pod<uint8_t>(env.*member(GameOver{}));
    w.pod<uint8_t>(env.*member(WasLifeLost{}));
    w.pod(env.*member(PaddleStrength{}));
    const auto& raw = env.*member(RawFrames{});
    w.bytes(raw[0].data(), raw[0].size());
    w.bytes(raw[1].data(), raw[1].size());
    const auto& stack = env.*member(FrameStack{});
    w.bytes(stack.data(), stack.size());
  }
  return w.take();
}

void restoreVectorState(EnvVectorizer& vec, const std::string& state) {
  Reader r(state);
  const auto magic = r.pod<std::array<char, 8>>("the header");
  if (std::memcmp(magic.data(), kMagic, sizeof(kMagic)) != 0)
    throw std::invalid_argument("ALE state has no MPALEv1 header; pass the unmodified result of getState()");
  auto& envs = vec.*member(Envs{});
  const auto count = r.pod<uint32_t>("the env count");
  if (count != envs.size())
    throw std::invalid_argument("ALE state holds " + std::to_string(count) + " envs but this env has numEnvs=" +
                                std::to_string(envs.size()) + "; build the env with the same args as the one that saved the state");
  std::vector<EnvSnapshot> snaps(count);
  for (uint32_t i = 0; i < count; ++i) {
    EnvSnapshot& s = snaps[i];
    PreprocessedEnv& env = *envs[i];
    s.aleState = r.text("the emulator state");
    s.playerA = r.pod<int32_t>("the sticky action");
    s.playerB = r.pod<int32_t>("the sticky action");
    s.strengthA = r.pod<float>("the paddle strength");
    s.strengthB = r.pod<float>("the paddle strength");
    std::istringstream rng(r.text("the noop RNG"));
    rng >> s.rng;
    if (rng.fail()) throw std::invalid_argument("ALE state has a malformed noop RNG; pass the unmodified result of getState()");
    s.elapsedSteps = r.pod<int32_t>("the step counter");
    s.lives = r.pod<int32_t>("the lives");
    s.reward = r.pod<int32_t>("the reward");
    s.actionId = r.pod<int32_t>("the action");
    s.pendingSeed = r.pod<int32_t>("the pending seed");
    s.frameStackIdx = r.pod<int32_t>("the frame stack index");
    s.gameOver = r.pod<uint8_t>("the game-over flag") != 0;
    s.wasLifeLost = r.pod<uint8_t>("the life-lost flag") != 0;
    s.paddleStrength = r.pod<float>("the paddle strength");
    const auto& raw = env.*member(RawFrames{});
    s.raw0.resize(raw[0].size());
    s.raw1.resize(raw[1].size());
    s.stack.resize((env.*member(FrameStack{})).size());
    r.bytesInto(s.raw0, "a raw frame");
    r.bytesInto(s.raw1, "a raw frame");
    r.bytesInto(s.stack, "the frame stack");
    if (s.frameStackIdx < 0 || s.frameStackIdx >= env.*member(StackNum{}))
      throw std::invalid_argument("ALE state has a frame stack index out of range; pass the unmodified result of getState()");
  }
  if (!r.done()) throw std::invalid_argument("ALE state has trailing bytes; pass the unmodified result of getState()");
  // A restored env continues like one that was reset: its next batch maps action i to env i (synchronous
  // mode, batch_size == num_envs).
  vec.*member(FirstBatch{}) = false;
  auto& ids = vec.*member(LastRecvIds{});
  for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int>(i);
  for (uint32_t i = 0; i < count; ++i) {
    EnvSnapshot& s = snaps[i];
    PreprocessedEnv& env = *envs[i];
    ale::ALEInterface& ale = *(env.*member(Ale{}));
    ale.restoreState(ale::ALEState(s.aleState));
    ale::StellaEnvironment& stella = *ale.environment;
    stella.*member(PlayerA{}) = static_cast<ale::Action>(s.playerA);
    stella.*member(PlayerB{}) = static_cast<ale::Action>(s.playerB);
    stella.*member(StrengthA{}) = s.strengthA;
    stella.*member(StrengthB{}) = s.strengthB;
    env.*member(Rng{}) = s.rng;
    env.*member(ElapsedSteps{}) = s.elapsedSteps;
    env.*member(Lives{}) = s.lives;
    env.*member(Reward{}) = s.reward;
    env.*member(ActionId{}) = s.actionId;
    env.*member(PendingSeed{}) = s.pendingSeed;
    env.*member(FrameStackIdx{}) = s.frameStackIdx;
    env.*member(GameOver{}) = s.gameOver;
    env.*member(WasLifeLost{}) = s.wasLifeLost;
    env.*member(PaddleStrength{}) = s.paddleStrength;
    auto& raw = env.*member(RawFrames{});
    raw[0] = std::move(s.raw0);
    raw[1] = std::move(s.raw1);
    env.*member(FrameStack{}) = std::move(s.stack);
  }
}

}  // namespace mempo_ale
