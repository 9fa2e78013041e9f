// Image front end: RGB8 image -> normalised float pixel values [3, H, W], exactly as Hugging Face's
// CLIPImageProcessor prepares images for CLIP / LLaVA (read from preprocessor_config.json).
//
// Resizing reproduces Pillow's Image.resize (the library the weights were trained with): a separable
// convolution whose kernel support widens with the downscale factor (antialiasing), bicubic with
// a = -0.5, 8-bit fixed-point coefficients and a rounded uint8 image after each pass (horizontal
// first, then vertical), so pixel values match the reference to float rounding.
//
//   auto proc = atelier::ImageProcessor::load("clip-vit-large-patch14-336");  // preprocessor_config.json
//   std::vector<float> px = proc.preprocess(atelier::decode_image("cat.png"));  // [3, 336, 336]
#pragma once

#include "media/media.h"

#include <array>
#include <string>
#include <vector>

namespace atelier {

// Pillow's resampling filters (PIL.Image.Resampling values as stored in "resample").
enum class Resample { Nearest = 0, Lanczos = 1, Bilinear = 2, Bicubic = 3, Box = 4, Hamming = 5 };

// Pillow-equivalent resize of an RGB8 image (Image.resize(size, resample) with reducing_gap=None),
// byte for byte, NEAREST included. Images taller than 100 x their width that shrink in height are
// resampled vertically first, as Pillow >= 12.2 does. ErrorCode::InvalidArgument for a malformed
// image or a non-positive size.
Image resize_image(const Image& src, int width, int height, Resample filter = Resample::Bicubic);

struct ImageProcessorConfig {
    // preprocessor_config.json fields of CLIPImageProcessor.
    bool do_resize = true;
    int shortest_edge = 224;  // size.shortest_edge, or an int `size` (old configs); 0 when size is {h, w}
    int size_height = 0, size_width = 0;  // size.height/width when given instead of shortest_edge
    Resample resample = Resample::Bicubic;
    bool do_center_crop = true;
    int crop_height = 224, crop_width = 224;  // crop_size
    bool do_rescale = true;
    double rescale_factor = 1.0 / 255.0;
    bool do_normalize = true;
    std::array<double, 3> image_mean{0.48145466, 0.4578275, 0.40821073};
    std::array<double, 3> image_std{0.26862954, 0.26130258, 0.27577711};
    // LLaVA-1.5 (image_aspect_ratio "pad", or HF LlavaImageProcessor's do_pad): pad to a square with
    // the mean colour before resizing.
    bool pad_to_square = false;

    // Parses preprocessor_config.json text; `where` names the file in errors: ErrorCode::BadJson when
    // it is not a JSON object, ErrorCode::BadConfig for a value of the wrong type or out of range
    // (sizes 1..8192, resample 0..5, 3 means and stds, no zero std, positive rescale_factor).
    static ImageProcessorConfig from_json(const std::string& json_text, const std::string& where);
    std::string to_json() const;
};

class ImageProcessor {
public:
    ImageProcessor() = default;
    explicit ImageProcessor(ImageProcessorConfig config) : m_config(std::move(config)) {}
    // dir/preprocessor_config.json; ErrorCode::FileNotFound when it is missing.
    static ImageProcessor load(const std::string& dir);

    const ImageProcessorConfig& config() const { return m_config; }
    // Output size; 0 when it depends on the input (shortest-edge resize without crop or padding).
    int output_height() const;
    int output_width() const;

    // Float pixel values, channel-major [3, output_height(), output_width()]: (p * rescale_factor -
    // mean) / std computed in float64, stored as float32. ErrorCode::InvalidArgument for a
    // malformed image.
    std::vector<float> preprocess(const Image& image) const;
    // The steps before rescaling (pad, resize, crop): what the model sees, as an RGB8 image.
    Image prepare(const Image& image) const;

private:
    ImageProcessorConfig m_config;
};

}  // namespace atelier
