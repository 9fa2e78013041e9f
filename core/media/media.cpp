#include "media/media.h"

namespace atelier {

const char* media_kind_name(MediaKind k) {
    switch (k) {
        case MediaKind::Image: return "image";
        case MediaKind::Audio: return "audio";
        case MediaKind::Video: return "video";
    }
    return "unknown";
}

}  // namespace atelier
