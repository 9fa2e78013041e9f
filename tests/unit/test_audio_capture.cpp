// Sound capture: the recorder on a file source played like a microphone (whole takes, the length
// limit, a device that disappears mid-recording), the WAV it leads to, resampling, and the real
// PortAudio path as this machine has it (no sound card: NoAudioDevice, never a crash).
#include "capture/audio_capture.h"
#include "test_util.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <thread>

using namespace atelier;
using atelier::test::error_code_of;
using atelier::test::fixture;
using atelier::test::make_temp_dir;

namespace {

std::string jfk() {
    return fixture("media/jfk.wav");
}

// Polls like the studio's timer until the recording ends (or `limit` passes).
void wait_until_done(AudioRecorder& rec, double limit_seconds = 20) {
    const auto t0 = std::chrono::steady_clock::now();
    while (rec.poll() && std::chrono::steady_clock::now() - t0 < std::chrono::duration<double>(limit_seconds))
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

Audio sine(int rate, double hz, double seconds) {
    Audio a;
    a.sample_rate = rate;
    a.samples.resize(static_cast<size_t>(rate * seconds));
    for (size_t i = 0; i < a.samples.size(); ++i)
        a.samples[i] = static_cast<float>(std::sin(2 * M_PI * hz * double(i) / rate));
    return a;
}

double rms(const std::vector<float>& x, size_t from, size_t to) {
    double s = 0;
    for (size_t i = from; i < to; ++i) s += double(x[i]) * x[i];
    return std::sqrt(s / double(to - from));
}

}  // namespace

TEST(AudioCapture, RecordsAWholeTakeIntoA16kMonoWav) {
    const Audio reference = decode_audio(jfk(), 16000);
    AudioRecorder rec(open_file_source(jfk(), /*speed=*/0), /*max_seconds=*/60);
    rec.start();
    wait_until_done(rec);
    // The file played to its end: the take ends there, whole, without a failure.
    EXPECT_FALSE(rec.recording());
    rec.stop();
    EXPECT_FALSE(rec.failure().has_value());
    EXPECT_FALSE(rec.limit_reached());
    const Audio got = rec.audio();
    ASSERT_EQ(got.sample_rate, 16000);
    ASSERT_EQ(got.samples.size(), reference.samples.size());
    EXPECT_EQ(got.samples, reference.samples);
    EXPECT_NEAR(rec.seconds(), reference.duration(), 1e-9);
    EXPECT_GT(rec.level(), 0.0f);

    // The WAV decodes back to the same samples (PCM16: within one step).
    const std::string dir = make_temp_dir("capture");
    const std::string wav = dir + "/take.wav";
    write_wav(wav, got);
    const MediaInfo info = probe_media(wav);
    EXPECT_EQ(info.kind, MediaKind::Audio);
    EXPECT_EQ(info.sample_rate, 16000);
    EXPECT_EQ(info.channels, 1);
    const Audio back = decode_audio(wav, 16000);
    ASSERT_EQ(back.samples.size(), got.samples.size());
    double worst = 0;
    for (size_t i = 0; i < got.samples.size(); ++i)
        worst = std::max(worst, double(std::fabs(back.samples[i] - got.samples[i])));
    EXPECT_LE(worst, 1.0 / 32768 + 1e-6);
}

TEST(AudioCapture, StopsAtTheLongestRecordingAndKeepsIt) {
    AudioRecorder rec(open_file_source(jfk(), 0), /*max_seconds=*/0.5);
    rec.start();
    wait_until_done(rec);
    EXPECT_TRUE(rec.limit_reached());
    EXPECT_FALSE(rec.recording());
    EXPECT_NEAR(rec.seconds(), 0.5, 1e-9);
    const Audio reference = decode_audio(jfk(), 16000);
    const Audio got = rec.audio();
    ASSERT_EQ(got.samples.size(), 8000u);
    EXPECT_TRUE(std::equal(got.samples.begin(), got.samples.end(), reference.samples.begin()));
}

TEST(AudioCapture, ADeviceThatDisappearsEndsTheTakeAndKeepsWhatCameBefore) {
    // Paced in real time (20x), as a microphone would be.
    AudioRecorder rec(open_file_source(jfk(), /*speed=*/20, /*fail_after=*/1.0), 60);
    rec.start();
    wait_until_done(rec);
    ASSERT_TRUE(rec.failure().has_value());
    EXPECT_EQ(rec.failure()->code(), ErrorCode::AudioDeviceFailed);
    EXPECT_FALSE(rec.recording());
    EXPECT_NEAR(rec.seconds(), 1.0, 0.051);  // blocks of 50 ms up to the failure
    rec.stop();
    EXPECT_EQ(rec.audio().samples.size(), static_cast<size_t>(rec.seconds() * 16000));
}

TEST(AudioCapture, ResamplingKeepsTheToneAndRemovesWhatCannotBeRepresented) {
    // A 1 kHz tone from 48 kHz to 16 kHz: same amplitude, same frequency.
    const Audio low = resample(sine(48000, 1000, 1.0), 16000);
    ASSERT_EQ(low.sample_rate, 16000);
    ASSERT_EQ(low.samples.size(), 16000u);
    EXPECT_NEAR(rms(low.samples, 1000, 15000), 1 / std::sqrt(2.0), 0.01);
    const Audio expected = sine(16000, 1000, 1.0);
    double worst = 0;
    for (size_t i = 1000; i < 15000; ++i)
        worst = std::max(worst, double(std::fabs(low.samples[i] - expected.samples[i])));
    EXPECT_LT(worst, 0.01);
    // 12 kHz is above 16 kHz's Nyquist frequency: filtered out, not folded down to 4 kHz.
    const Audio alias = resample(sine(48000, 12000, 1.0), 16000);
    EXPECT_LT(rms(alias.samples, 1000, 15000), 0.02);
    // Upsampling keeps the tone too.
    const Audio high = resample(sine(16000, 440, 1.0), 44100);
    EXPECT_EQ(high.samples.size(), 44100u);
    EXPECT_NEAR(rms(high.samples, 2000, 42000), 1 / std::sqrt(2.0), 0.01);
}

TEST(AudioCapture, MicrophonesAsThisMachineHasThem) {
    const auto inputs = list_audio_inputs();
    if (inputs.empty()) {
        // No sound card (CI): the default microphone is a clear NoAudioDevice, not a crash.
        EXPECT_EQ(error_code_of([] { open_microphone(); }), ErrorCode::NoAudioDevice);
    } else {
        for (const auto& d : inputs) {
            EXPECT_GE(d.index, 0);
            EXPECT_GT(d.channels, 0);
        }
    }
    // A device index that does not exist, anywhere.
    EXPECT_EQ(error_code_of([] { open_microphone(100000); }), ErrorCode::NoAudioDevice);
    // A file that is not audio fails as media does.
    EXPECT_EQ(error_code_of([] { open_file_source(fixture("media/astronaut.png")); }),
              ErrorCode::NoMediaStream);
}
