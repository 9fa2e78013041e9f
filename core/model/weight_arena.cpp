#include "model/weight_arena.h"

#include "common/process.h"
#include "io/zip_reader.h"  // MappedFile::read_at
#include "model/torch_util.h"

#include <algorithm>

namespace atelier {

ArenaFill::ArenaFill(std::shared_ptr<uint8_t> arena) : m_arena(std::move(arena)) {}

ArenaFill::~ArenaFill() {
    m_cancel.store(true);
    if (m_worker.joinable()) m_worker.join();
}

void ArenaFill::add(const torch::Tensor& param, const TensorData& t, torch::Dtype dtype, size_t& offset) {
    Item item;
    item.param = param;
    item.source = t;
    auto keep = m_arena;
    item.dest = torch::from_blob(
        m_arena.get() + offset, t.shape, [keep](void*) {}, torch::TensorOptions().dtype(dtype));
    item.to = static_cast<uint8_t*>(item.dest.data_ptr());
    offset += arena_bytes(item.dest.numel(), dtype);
    m_items.push_back(std::move(item));
}

void ArenaFill::start() {
    // The thread reads only the items' files and writes only their arena places, which nothing
    // reads until adopt() has seen the state turn 1 (release/acquire) and joined the thread.
    m_worker = std::thread([this] {
        // Only on cores the model is not using: generation from the mapping keeps its speed (with
        // the copy at normal priority, a third busy thread halved decode on two cores), and the
        // copy moves on between replies.
        lower_thread_priority();
        constexpr size_t kPiece = size_t(4) << 20;
        try {
            for (const Item& i : m_items)
                for (size_t from = 0; from < i.source.nbytes; from += kPiece) {
                    if (m_cancel.load(std::memory_order_relaxed) ||
                        !i.source.file->read_at(i.source.file_offset + from, i.to + from,
                                                std::min(kPiece, i.source.nbytes - from))) {
                        m_state.store(-1, std::memory_order_release);
                        return;
                    }
                }
            m_state.store(1, std::memory_order_release);
        } catch (const std::exception&) {
            m_state.store(-1, std::memory_order_release);
        }
    });
}

bool ArenaFill::adopt() {
    if (m_adopted) return true;
    const int state = m_state.load(std::memory_order_acquire);
    if (state == 0) return false;
    if (m_worker.joinable()) m_worker.join();
    if (state == 1) {
        torch::NoGradGuard no_grad;
        for (Item& i : m_items) i.param.set_data(i.dest);
    }
    m_items.clear();  // the mapping goes with its last tensor; a failed copy's arena with m_arena
    m_arena.reset();
    m_adopted = true;
    return true;
}

void ArenaFill::wait() {
    if (m_worker.joinable()) m_worker.join();
    adopt();
}

}  // namespace atelier
