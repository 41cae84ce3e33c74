// Exact save and restore of an ALE vector env: every emulator and preprocessing state that decides what the
// next steps return, as one byte string.
#ifndef MEMPO_ALE_NODE_ENV_STATE_HPP
#define MEMPO_ALE_NODE_ENV_STATE_HPP

#include <string>

#include "ale/vector/env_vectorizer.hpp"

namespace mempo_ale {

/// The state of every env of `vec` (call between steps, never while a batch runs).
std::string saveVectorState(ale::vector::EnvVectorizer& vec);

/// Restores a `saveVectorState` result into a vectorizer built with the same ROM and options. Checks the
/// whole string before it changes anything; throws std::invalid_argument naming what does not match.
void restoreVectorState(ale::vector::EnvVectorizer& vec, const std::string& state);

}  // namespace mempo_ale

#endif
