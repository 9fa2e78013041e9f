#include "features/image_processor.h"

#include "common/error.h"
#include "common/json_util.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace atelier {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Pillow-equivalent resampling (libImaging/Resample.c and, for NEAREST, Geometry.c), re-derived:
// the same kernels, window bounds, coefficient normalisation, 8-bit fixed point and rounding, so
// that every output byte equals Pillow's.
// ---------------------------------------------------------------------------------------------
namespace {

constexpr double kPi = 3.14159265358979323846;

double box_kernel(double x) {
    return (x > -0.5 && x <= 0.5) ? 1.0 : 0.0;
}

double triangle_kernel(double x) {
    x = std::fabs(x);
    return x < 1.0 ? 1.0 - x : 0.0;
}

double hamming_kernel(double x) {
    x = std::fabs(x);
    if (x == 0.0) return 1.0;
    if (x >= 1.0) return 0.0;
    x *= kPi;
    // Pillow writes the constants as float literals (0.54f, 0.46f): keep their float values.
    return std::sin(x) / x * (double(0.54f) + double(0.46f) * std::cos(x));
}

double cubic_kernel(double x) {
    constexpr double a = -0.5;  // Keys' cubic convolution, as Pillow
    x = std::fabs(x);
    if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
    if (x < 2.0) return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
    return 0.0;
}

double sinc(double x) {
    if (x == 0.0) return 1.0;
    x *= kPi;
    return std::sin(x) / x;
}

double lanczos_kernel(double x) {
    return (-3.0 <= x && x < 3.0) ? sinc(x) * sinc(x / 3.0) : 0.0;
}

struct Kernel {
    double (*fn)(double);
    double support;
};

Kernel kernel_for(Resample r) {
    switch (r) {
        case Resample::Box: return {box_kernel, 0.5};
        case Resample::Bilinear: return {triangle_kernel, 1.0};
        case Resample::Hamming: return {hamming_kernel, 1.0};
        case Resample::Bicubic: return {cubic_kernel, 2.0};
        case Resample::Lanczos: return {lanczos_kernel, 3.0};
        case Resample::Nearest: break;
    }
    throw Error(ErrorCode::InvalidArgument, "", "resize_image: no convolution kernel for this filter");
}

// 8 bits of result, 2 bits of headroom for negative lobes and sums above 1, in an int32.
constexpr int kPrecisionBits = 32 - 8 - 2;

// Per output position: the first input sample, how many follow, and their fixed-point weights.
struct Coefficients {
    int ksize = 0;                 // stride of `weights`
    std::vector<int> first;        // [out]
    std::vector<int> count;        // [out]
    std::vector<int32_t> weights;  // [out][ksize]
};

Coefficients precompute_coefficients(int in_size, int out_size, const Kernel& kernel) {
    const double scale = double(in_size) / out_size;
    const double filter_scale = std::max(scale, 1.0);  // widen the kernel when shrinking (antialias)
    const double support = kernel.support * filter_scale;
    const double inv_filter_scale = 1.0 / filter_scale;

    Coefficients c;
    c.ksize = int(std::ceil(support)) * 2 + 1;
    c.first.resize(out_size);
    c.count.resize(out_size);
    c.weights.assign(size_t(out_size) * c.ksize, 0);
    std::vector<double> w(c.ksize);
    for (int i = 0; i < out_size; ++i) {
        const double center = (i + 0.5) * scale;
        // Truncation toward zero of (value + 0.5), exactly as Pillow rounds the window ends.
        const int lo = std::max(int(center - support + 0.5), 0);
        const int hi = std::min(int(center + support + 0.5), in_size);
        const int n = hi - lo;
        double sum = 0.0;
        for (int x = 0; x < n; ++x) {
            w[x] = kernel.fn((x + lo - center + 0.5) * inv_filter_scale);
            sum += w[x];
        }
        int32_t* k = &c.weights[size_t(i) * c.ksize];
        for (int x = 0; x < n; ++x) {
            const double v = sum != 0.0 ? w[x] / sum : w[x];
            const double f = v * double(1 << kPrecisionBits);
            k[x] = int32_t(v < 0 ? -0.5 + f : 0.5 + f);  // round half away from zero, then truncate
        }
        c.first[i] = lo;
        c.count[i] = n;
    }
    return c;
}

// Fixed-point accumulator -> uint8: floor(acc / 2^22) clipped to [0, 255] (Pillow's clip8 table).
inline uint8_t clip8(int32_t acc) {
    if (acc < 0) return 0;
    const int32_t v = acc >> kPrecisionBits;
    return uint8_t(v > 255 ? 255 : v);
}

constexpr int32_t kRoundingOffset = int32_t(1) << (kPrecisionBits - 1);

Image resample_horizontal(const Image& src, int out_w, const Kernel& kernel) {
    const Coefficients c = precompute_coefficients(src.width, out_w, kernel);
    Image dst;
    dst.width = out_w;
    dst.height = src.height;
    dst.rgb.resize(size_t(out_w) * src.height * 3);
    for (int y = 0; y < src.height; ++y) {
        const uint8_t* in = &src.rgb[size_t(y) * src.width * 3];
        uint8_t* out = &dst.rgb[size_t(y) * out_w * 3];
        for (int x = 0; x < out_w; ++x) {
            const int32_t* k = &c.weights[size_t(x) * c.ksize];
            const uint8_t* p = in + size_t(c.first[x]) * 3;
            int32_t r = kRoundingOffset, g = kRoundingOffset, b = kRoundingOffset;
            for (int i = 0; i < c.count[x]; ++i) {
                r += p[3 * i + 0] * k[i];
                g += p[3 * i + 1] * k[i];
                b += p[3 * i + 2] * k[i];
            }
            out[3 * x + 0] = clip8(r);
            out[3 * x + 1] = clip8(g);
            out[3 * x + 2] = clip8(b);
        }
    }
    return dst;
}

Image resample_vertical(const Image& src, int out_h, const Kernel& kernel) {
    const Coefficients c = precompute_coefficients(src.height, out_h, kernel);
    Image dst;
    dst.width = src.width;
    dst.height = out_h;
    const size_t row = size_t(src.width) * 3;
    dst.rgb.resize(row * out_h);
    std::vector<int32_t> acc(row);
    for (int y = 0; y < out_h; ++y) {
        const int32_t* k = &c.weights[size_t(y) * c.ksize];
        std::fill(acc.begin(), acc.end(), kRoundingOffset);
        for (int i = 0; i < c.count[y]; ++i) {
            const uint8_t* in = &src.rgb[size_t(c.first[y] + i) * row];
            const int32_t ki = k[i];
            for (size_t j = 0; j < row; ++j) acc[j] += in[j] * ki;
        }
        uint8_t* out = &dst.rgb[size_t(y) * row];
        for (size_t j = 0; j < row; ++j) out[j] = clip8(acc[j]);
    }
    return dst;
}

// Pillow's NEAREST for a whole-image resize is an affine scale (ImagingScaleAffine): the source
// coordinate starts at scale/2 and is advanced by repeated addition, then truncated.
Image resize_nearest(const Image& src, int width, int height) {
    const double ax = double(src.width) / width;
    const double ay = double(src.height) / height;
    std::vector<int> xs(width);
    double xo = ax * 0.5;
    for (int x = 0; x < width; ++x, xo += ax) xs[x] = std::min(int(xo), src.width - 1);
    Image dst;
    dst.width = width;
    dst.height = height;
    dst.rgb.resize(size_t(width) * height * 3);
    double yo = ay * 0.5;
    for (int y = 0; y < height; ++y, yo += ay) {
        const int sy = std::min(int(yo), src.height - 1);
        const uint8_t* in = &src.rgb[size_t(sy) * src.width * 3];
        uint8_t* out = &dst.rgb[size_t(y) * width * 3];
        for (int x = 0; x < width; ++x) {
            out[3 * x + 0] = in[3 * xs[x] + 0];
            out[3 * x + 1] = in[3 * xs[x] + 1];
            out[3 * x + 2] = in[3 * xs[x] + 2];
        }
    }
    return dst;
}

void check_image(const Image& image, const char* what) {
    if (image.width <= 0 || image.height <= 0 ||
        image.rgb.size() != size_t(image.width) * size_t(image.height) * 3)
        throw Error(ErrorCode::InvalidArgument, "",
                    std::string(what) + ": image is not RGB8 " + std::to_string(image.width) + "x" +
                        std::to_string(image.height) + " (" + std::to_string(image.rgb.size()) + " bytes)");
}

}  // namespace

Image resize_image(const Image& src, int width, int height, Resample filter) {
    check_image(src, "resize_image");
    if (width <= 0 || height <= 0)
        throw Error(ErrorCode::InvalidArgument, "",
                    "resize_image: target size " + std::to_string(width) + "x" + std::to_string(height));
    if (width == src.width && height == src.height) return src;  // Image.resize returns a copy
    if (filter == Resample::Nearest) return resize_nearest(src, width, height);

    const Kernel kernel = kernel_for(filter);
    // Pillow resamples horizontally first and skips a pass whose size does not change; for very
    // tall images that shrink vertically (height > 100 x width) it runs the vertical pass first.
    const bool vertical_first = src.height > src.width * 100 && height < src.height;
    Image out = src;
    if (vertical_first) {
        if (height != out.height) out = resample_vertical(out, height, kernel);
        if (width != out.width) out = resample_horizontal(out, width, kernel);
    } else {
        if (width != out.width) out = resample_horizontal(out, width, kernel);
        if (height != out.height) out = resample_vertical(out, height, kernel);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// preprocessor_config.json
// ---------------------------------------------------------------------------------------------
namespace {

constexpr int kMaxSide = 8192;

[[noreturn]] void bad(const std::string& where, const std::string& detail) {
    throw Error(ErrorCode::BadConfig, where, detail);
}

bool get_bool(const json& j, const char* key, bool fallback, const std::string& where) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    if (!it->is_boolean()) bad(where, std::string("\"") + key + "\" must be true or false");
    return it->get<bool>();
}

int get_side(const json& v, const std::string& name, const std::string& where) {
    if (!v.is_number_integer() && !(v.is_number_float() && std::floor(v.get<double>()) == v.get<double>()))
        bad(where, "\"" + name + "\" must be an integer");
    const double d = v.get<double>();
    if (!(d >= 1 && d <= kMaxSide))
        bad(where, "\"" + name + "\" = " + v.dump() + " is outside 1.." + std::to_string(kMaxSide));
    return int(d);
}

std::array<double, 3> get_triple(const json& j, const char* key, std::array<double, 3> fallback,
                                 const std::string& where) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    std::array<double, 3> out{};
    if (it->is_number()) {  // HF accepts one value for all channels
        out.fill(it->get<double>());
    } else if (it->is_array() && it->size() == 3) {
        for (size_t i = 0; i < 3; ++i) {
            if (!(*it)[i].is_number()) bad(where, std::string("\"") + key + "\" must hold numbers");
            out[i] = (*it)[i].get<double>();
        }
    } else {
        bad(where, std::string("\"") + key + "\" must be a list of 3 numbers (one per RGB channel)");
    }
    for (double v : out)
        if (!std::isfinite(v)) bad(where, std::string("\"") + key + "\" holds a non-finite value");
    return out;
}

}  // namespace

ImageProcessorConfig ImageProcessorConfig::from_json(const std::string& json_text, const std::string& where) {
    json j = parse_json_object(json_text, where, "preprocessor config");

    ImageProcessorConfig c;
    c.do_resize = get_bool(j, "do_resize", c.do_resize, where);
    if (auto it = j.find("size"); it != j.end() && !it->is_null()) {
        if (it->is_number()) {  // old configs: an int means the shortest edge (default_to_square=False)
            c.shortest_edge = get_side(*it, "size", where);
        } else if (it->is_object() && it->contains("shortest_edge")) {
            c.shortest_edge = get_side((*it)["shortest_edge"], "size.shortest_edge", where);
        } else if (it->is_object() && it->contains("height") && it->contains("width")) {
            c.shortest_edge = 0;
            c.size_height = get_side((*it)["height"], "size.height", where);
            c.size_width = get_side((*it)["width"], "size.width", where);
        } else {
            bad(where,
                "\"size\" must be an integer, {\"shortest_edge\": N} or {\"height\": H, \"width\": W}");
        }
    }
    if (auto it = j.find("resample"); it != j.end() && !it->is_null()) {
        if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 5)
            bad(where, "\"resample\" must be a PIL filter number 0..5, got " + it->dump());
        c.resample = Resample(it->get<int>());
    }
    c.do_center_crop = get_bool(j, "do_center_crop", c.do_center_crop, where);
    if (auto it = j.find("crop_size"); it != j.end() && !it->is_null()) {
        if (it->is_number()) {
            c.crop_height = c.crop_width = get_side(*it, "crop_size", where);
        } else if (it->is_object() && it->contains("height") && it->contains("width")) {
            c.crop_height = get_side((*it)["height"], "crop_size.height", where);
            c.crop_width = get_side((*it)["width"], "crop_size.width", where);
        } else {
            bad(where, "\"crop_size\" must be an integer or {\"height\": H, \"width\": W}");
        }
    }
    c.do_rescale = get_bool(j, "do_rescale", c.do_rescale, where);
    if (auto it = j.find("rescale_factor"); it != j.end() && !it->is_null()) {
        if (!it->is_number() || !std::isfinite(it->get<double>()) || it->get<double>() <= 0)
            bad(where, "\"rescale_factor\" must be a positive number, got " + it->dump());
        c.rescale_factor = it->get<double>();
    }
    c.do_normalize = get_bool(j, "do_normalize", c.do_normalize, where);
    c.image_mean = get_triple(j, "image_mean", c.image_mean, where);
    c.image_std = get_triple(j, "image_std", c.image_std, where);
    for (double s : c.image_std)
        if (s == 0) bad(where, "\"image_std\" holds a zero: normalising would divide by zero");

    // LLaVA-1.5 (original repo) writes image_aspect_ratio "pad"; HF's LlavaImageProcessor says do_pad.
    if (auto it = j.find("image_aspect_ratio"); it != j.end() && !it->is_null()) {
        if (!it->is_string()) bad(where, "\"image_aspect_ratio\" must be a string");
        c.pad_to_square = it->get<std::string>() == "pad";
    }
    c.pad_to_square = get_bool(j, "do_pad", c.pad_to_square, where);
    return c;
}

std::string ImageProcessorConfig::to_json() const {
    json j;
    j["image_processor_type"] = "CLIPImageProcessor";
    j["do_resize"] = do_resize;
    if (shortest_edge > 0)
        j["size"] = {{"shortest_edge", shortest_edge}};
    else
        j["size"] = {{"height", size_height}, {"width", size_width}};
    j["resample"] = int(resample);
    j["do_center_crop"] = do_center_crop;
    j["crop_size"] = {{"height", crop_height}, {"width", crop_width}};
    j["do_rescale"] = do_rescale;
    j["rescale_factor"] = rescale_factor;
    j["do_normalize"] = do_normalize;
    j["image_mean"] = image_mean;
    j["image_std"] = image_std;
    if (pad_to_square) j["image_aspect_ratio"] = "pad";
    return j.dump(2);
}

// ---------------------------------------------------------------------------------------------
// ImageProcessor
// ---------------------------------------------------------------------------------------------
ImageProcessor ImageProcessor::load(const std::string& dir) {
    const std::string path = (std::filesystem::path(dir) / "preprocessor_config.json").string();
    std::ifstream f(path, std::ios::binary);
    if (!f) throw Error(ErrorCode::FileNotFound, path, "preprocessor_config.json not found");
    std::ostringstream ss;
    ss << f.rdbuf();
    return ImageProcessor(ImageProcessorConfig::from_json(ss.str(), path));
}

int ImageProcessor::output_height() const {
    if (m_config.do_center_crop) return m_config.crop_height;
    if (m_config.do_resize && m_config.shortest_edge == 0) return m_config.size_height;
    if (m_config.do_resize && m_config.pad_to_square) return m_config.shortest_edge;
    return 0;
}

int ImageProcessor::output_width() const {
    if (m_config.do_center_crop) return m_config.crop_width;
    if (m_config.do_resize && m_config.shortest_edge == 0) return m_config.size_width;
    if (m_config.do_resize && m_config.pad_to_square) return m_config.shortest_edge;
    return 0;
}

namespace {

// LLaVA-1.5's expand2square: a square canvas of side max(w, h) in the mean colour (each channel
// int(mean * 255), truncated), the image pasted at ((S - w) / 2, (S - h) / 2), rounding down.
Image pad_to_square(const Image& image, const std::array<double, 3>& mean) {
    if (image.width == image.height) return image;
    const int side = std::max(image.width, image.height);
    Image out;
    out.width = out.height = side;
    out.rgb.resize(size_t(side) * side * 3);
    uint8_t fill[3];
    for (int c = 0; c < 3; ++c) fill[c] = uint8_t(std::clamp(int(mean[c] * 255), 0, 255));
    for (size_t i = 0; i < out.rgb.size(); i += 3) std::copy(fill, fill + 3, &out.rgb[i]);
    const int left = (side - image.width) / 2, top = (side - image.height) / 2;
    for (int y = 0; y < image.height; ++y)
        std::copy_n(&image.rgb[size_t(y) * image.width * 3], size_t(image.width) * 3,
                    &out.rgb[(size_t(top + y) * side + left) * 3]);
    return out;
}

// HF's center_crop: window at ((h - ch) // 2, (w - cw) // 2) (floor division). An image smaller than
// the crop is first centred on a zero canvas with ceil((crop - size) / 2) before it, so the crop is
// always crop_h x crop_w and the border is black.
Image center_crop(const Image& image, int crop_h, int crop_w) {
    auto floor_div2 = [](int v) { return v >= 0 ? v / 2 : -((-v + 1) / 2); };
    // Output row r comes from source row top + r (outside the source: the zero padding).
    const int top = floor_div2(image.height - crop_h);
    const int left = floor_div2(image.width - crop_w);

    Image out;
    out.width = crop_w;
    out.height = crop_h;
    out.rgb.assign(size_t(crop_w) * crop_h * 3, 0);
    for (int r = 0; r < crop_h; ++r) {
        const int sy = top + r;
        if (sy < 0 || sy >= image.height) continue;
        for (int col = 0; col < crop_w; ++col) {
            const int sx = left + col;
            if (sx < 0 || sx >= image.width) continue;
            std::copy_n(&image.rgb[(size_t(sy) * image.width + sx) * 3], 3,
                        &out.rgb[(size_t(r) * crop_w + col) * 3]);
        }
    }
    return out;
}

}  // namespace

Image ImageProcessor::prepare(const Image& image) const {
    check_image(image, "ImageProcessor");
    const ImageProcessorConfig& c = m_config;
    Image img = c.pad_to_square ? pad_to_square(image, c.image_mean) : image;
    if (c.do_resize) {
        int out_w, out_h;
        if (c.shortest_edge > 0) {
            // HF get_resize_output_image_size(default_to_square=False): the short side becomes
            // shortest_edge, the long side int(shortest_edge * long / short) (truncated).
            const bool portrait = img.width <= img.height;
            const int short_side = portrait ? img.width : img.height;
            const int long_side = portrait ? img.height : img.width;
            const int new_long = int(double(int64_t(c.shortest_edge) * long_side) / short_side);
            out_w = portrait ? c.shortest_edge : new_long;
            out_h = portrait ? new_long : c.shortest_edge;
        } else {
            out_w = c.size_width;
            out_h = c.size_height;
        }
        if (out_w < 1 || out_h < 1 || out_w > 4 * kMaxSide || out_h > 4 * kMaxSide)
            throw Error(ErrorCode::InvalidArgument, "",
                        "ImageProcessor: image " + std::to_string(img.width) + "x" +
                            std::to_string(img.height) + " resizes to " + std::to_string(out_w) + "x" +
                            std::to_string(out_h));
        img = resize_image(img, out_w, out_h, c.resample);
    }
    if (c.do_center_crop) img = center_crop(img, c.crop_height, c.crop_width);
    return img;
}

std::vector<float> ImageProcessor::preprocess(const Image& image) const {
    const Image img = prepare(image);
    const ImageProcessorConfig& c = m_config;
    const size_t plane = size_t(img.width) * img.height;
    std::vector<float> out(plane * 3);
    for (int ch = 0; ch < 3; ++ch) {
        // Per channel: (p * rescale_factor - mean) / std in float64, stored as float32.
        double lut[256];
        for (int v = 0; v < 256; ++v) {
            double x = v;
            if (c.do_rescale) x *= c.rescale_factor;
            if (c.do_normalize) x = (x - c.image_mean[ch]) / c.image_std[ch];
            lut[v] = x;
        }
        float* dst = &out[plane * ch];
        for (size_t i = 0; i < plane; ++i) dst[i] = float(lut[img.rgb[i * 3 + ch]]);
    }
    return out;
}

}  // namespace atelier
