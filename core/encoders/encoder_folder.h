// Encoder folders Atelier writes: a fresh (randomly initialised) CLIP vision tower or Whisper
// encoder in Hugging Face layout, for training small encoders from scratch, and trained encoders
// saved into a bundle. Torch-free header.
//
// A folder holds config.json (CLIPVisionModel / WhisperModel), preprocessor_config.json and
// model.safetensors with the keys the loaders read ("vision_model.*", "encoder.*"), so it loads
// wherever a downloaded encoder does (multimodal/media_branches.h).
//
//   atelier::ClipVisionConfig c;  c.image_size = 32; c.patch_size = 8; c.hidden_size = 64; ...
//   atelier::create_clip_encoder("enc/image", c, atelier::clip_processor_for(c), /*seed=*/1);
#pragma once

#include "encoders/encoder_config.h"
#include "features/audio_features.h"
#include "features/image_processor.h"

#include <cstdint>
#include <string>

namespace atelier {

// CLIP's preprocessing at the config's image size (resize the short side, centre crop, CLIP mean/std).
ImageProcessorConfig clip_processor_for(const ClipVisionConfig& c);
// Whisper's log-mel front end with `chunk_seconds` windows (the encoder then has
// chunk_seconds * 50 positions: set c.max_source_positions to match).
WhisperFeatureConfig whisper_features_for(int mel_bins, int chunk_seconds);

// Initialisation as the reference implementations do it: linear/conv weights N(0, 0.02), biases 0,
// layer norms 1/0, CLIP's class and position embeddings N(0, 0.02); Whisper's positions sinusoidal.
// Deterministic in `seed`. Throws BadConfig for an invalid config, Io when the folder cannot be written.
void create_clip_encoder(const std::string& dir, const ClipVisionConfig& c, const ImageProcessorConfig& p,
                         uint64_t seed);
void create_whisper_encoder(const std::string& dir, const WhisperEncoderConfig& c,
                            const WhisperFeatureConfig& f, uint64_t seed);

}  // namespace atelier
