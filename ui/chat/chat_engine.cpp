#include "chat_engine.h"

#include "error_text.h"

#include "chat/chat_template.h"
#include "common/error.h"
#include "model/llama.h"
#include "multimodal/multimodal_model.h"
#include "session/chat_session.h"

#include <QElapsedTimer>

// The engine's state on the worker thread: the model (text, LLaVA or a multimodal bundle) and the
// one chat session the CLI uses too (template, media chunks, trimming, generation).
struct ChatEngine::State {
    QString adapterPath;  // attached now
    EngineSettings settings;
    EngineSettings loadedWith;
    QString path;
    std::unique_ptr<atelier::MultimodalModel> model;
    std::unique_ptr<atelier::ChatSession> session;
};

namespace {

// The studio's request as the core chat session takes it. Attachments of a kind the model cannot
// read are left out: the composer showed that and asked before sending (the session lists them).
atelier::ChatRequest toChatRequest(const GenerationRequest& request) {
    atelier::ChatRequest chat;
    const SamplingSettings& s = request.sampling;
    chat.generation.sampling.temperature = static_cast<float>(s.temperature);
    chat.generation.sampling.top_p = static_cast<float>(s.topP);
    chat.generation.sampling.top_k = s.topK;
    chat.generation.sampling.min_p = static_cast<float>(s.minP);
    chat.generation.sampling.repetition_penalty = static_cast<float>(s.repeatPenalty);
    chat.generation.sampling.seed = s.seed;
    chat.generation.max_new_tokens = s.maxTokens;
    chat.template_name = request.templateName.toStdString();
    chat.system_prompt = request.systemPrompt.toStdString();
    chat.skip_unreadable_media = true;
    for (const auto& t : request.turns) {
        atelier::ChatTurn turn{t.role.toStdString(), t.content.toStdString(), {}};
        for (const auto& a : t.attachments)
            if (a.kind != QLatin1String("file"))
                turn.attachments.push_back({a.kind.toStdString(), a.path.toStdString()});
        chat.turns.push_back(std::move(turn));
    }
    return chat;
}

}  // namespace

LoadedModel ChatEngine::describeLoaded() const {
    LoadedModel info;
    info.path = m->path;
    atelier::LlamaModel& llm = m->model->llm();
    info.adapterMethod = QString::fromStdString(llm.adapter_method());
    info.dtype = QString::fromStdString(llm.dtype());
    info.computeDtype = QString::fromStdString(llm.compute_dtype());
    info.device = QString::fromStdString(llm.device());
    info.contextLength = llm.context_length();
    info.templateName = QString::fromStdString(m->session->resolve_template(""));
    for (const auto& spec : m->model->modalities()) {
        info.modalities.push_back(QString::fromStdString(spec.modality));
        if (spec.modality == "video" && spec.frames > 0) info.videoFrames = spec.frames;
    }
    return info;
}

ChatEngine::ChatEngine() : m(std::make_unique<State>()) {
    qRegisterMetaType<EngineError>();
    qRegisterMetaType<GenerationRequest>();
    qRegisterMetaType<GenerationStats>();
    qRegisterMetaType<LoadedModel>();
    qRegisterMetaType<EngineSettings>();
    qRegisterMetaType<AttachmentCost>();
    qRegisterMetaType<ContextUse>();
    qRegisterMetaType<AttachmentRecord>();
    qRegisterMetaType<CancelToken>();
}

ChatEngine::~ChatEngine() = default;

bool ChatEngine::stopRequested() const {
    const std::atomic<bool>* token = m_active.load();
    return token && token->load();
}

void ChatEngine::setSettings(const EngineSettings& settings) {
    m->settings = settings;
    atelier::init_engine_threads(settings.threads);  // takes effect at once, no reload needed
}

void ChatEngine::unloadModel() {
    m->adapterPath.clear();
    m->session.reset();
    m->model.reset();
    m->path.clear();
}

bool ChatEngine::ensureLoaded(const QString& path, const CancelToken& cancel, EngineError* error) {
    const bool sameSettings =
        m->loadedWith.dtype == m->settings.dtype && m->loadedWith.device == m->settings.device;
    if (m->model && m->path == path && sameSettings) return true;
    unloadModel();
    auto fail = [&](const EngineError& e) {
        unloadModel();
        if (error) *error = e;
        Q_EMIT loadFailed(path, e);
    };
    Q_EMIT loadStarted(path);
    try {
        atelier::LoadOptions opt;
        opt.dtype = m->settings.dtype.toStdString();
        opt.device = m->settings.device.toStdString();
        opt.progress = [this, cancel](float f) {
            Q_EMIT loadProgress(f);
            return !cancel->load();
        };
        auto model = atelier::MultimodalModel::load(path.toStdString(), opt);
        auto session = std::make_unique<atelier::ChatSession>(*model);  // throws for an encoder-only folder
        m->model = std::move(model);
        m->session = std::move(session);
        m->path = path;
        m->loadedWith = m->settings;
    } catch (const std::exception& e) {
        fail(engineErrorFrom(e));
        return false;
    }
    Q_EMIT modelLoaded(describeLoaded());
    return true;
}

void ChatEngine::loadModel(const QString& path, const CancelToken& cancel) {
    m_active.store(cancel.get());
    ensureLoaded(path, cancel);
    m_active.store(nullptr);
}

void ChatEngine::generate(const GenerationRequest& request) {
    m_active.store(request.cancel.get());
    struct Done {
        std::atomic<std::atomic<bool>*>& active;
        ~Done() { active.store(nullptr); }
    } done{m_active};
    EngineError loadError;
    if (!ensureLoaded(request.modelPath, request.cancel, &loadError)) {
        Q_EMIT generationFailed(loadError);
        return;
    }
    if (request.adapterPath != m->adapterPath) {
        try {
            const std::string own = m->model->default_adapter();  // a bundle's own adapter
            if (request.adapterPath.isEmpty() && own.empty())
                m->model->llm().detach_adapter();
            else if (request.adapterPath.isEmpty())
                m->model->llm().attach_adapter(own);
            else
                m->model->llm().attach_adapter(request.adapterPath.toStdString());
            m->adapterPath = request.adapterPath;
        } catch (const std::exception& e) {
            // Whatever failed (a bad folder, a file system or memory error), the model goes back to
            // its base weights, so later messages do not fail the same way.
            try {
                m->model->llm().detach_adapter();
            } catch (const std::exception&) {
            }
            m->adapterPath.clear();
            Q_EMIT generationFailed(engineErrorFrom(e));
            return;
        }
        Q_EMIT modelLoaded(describeLoaded());
    }
    Q_EMIT generationStarted();
    try {
        const atelier::ChatRequest chat = toChatRequest(request);
        auto result = m->session->generate(
            chat,
            [this](const std::string& piece) {
                Q_EMIT textGenerated(QString::fromStdString(piece));
                return true;
            },
            request.cancel.get());
        GenerationStats stats;
        stats.tokens = static_cast<int>(result.tokens.size());
        stats.tokensPerSecond = result.decode_tokens_per_second();
        stats.firstTokenSeconds = result.first_token_seconds;
        stats.stopReason = QString::fromLatin1(atelier::stop_reason_name(result.stop_reason));
        stats.droppedTurns = result.dropped_turns;
        stats.skippedMedia = static_cast<int>(result.skipped_media.size());
        Q_EMIT generationFinished(stats);
    } catch (const std::exception& e) {
        Q_EMIT generationFailed(engineErrorFrom(e));
    }
}

void ChatEngine::prepareAttachment(const QString& modelPath, const AttachmentRecord& attachment,
                                   const CancelToken& cancel) {
    AttachmentCost cost;
    cost.path = attachment.path;
    if (cancel->load()) return;
    m_active.store(cancel.get());
    struct Done {
        std::atomic<std::atomic<bool>*>& active;
        ~Done() { active.store(nullptr); }
    } done{m_active};
    if (!ensureLoaded(modelPath, cancel, &cost.error)) {
        Q_EMIT attachmentPrepared(cost);
        return;
    }
    try {
        const std::string kind = attachment.kind.toStdString(), file = attachment.path.toStdString();
        m->model->require(kind, file);  // MissingModality: the chip says what the model lacks
        cost.tokens = static_cast<int>(m->model->token_cost(kind, file));
        cost.readable = true;
        const auto before = m->model->cache_stats();
        atelier::EncodeOptions opt;
        opt.cancel = cancel.get();
        const QString path = attachment.path;
        opt.progress = [this, path](float f) { Q_EMIT attachmentProgress(path, f); };
        QElapsedTimer timer;
        timer.start();
        m->model->encode(kind, file, opt);
        if (m->model->cache_stats().misses > before.misses) cost.encodeSeconds = timer.elapsed() / 1000.0;
    } catch (const std::exception& e) {
        cost.error = engineErrorFrom(e);
        if (cost.error.code == static_cast<int>(atelier::ErrorCode::Cancelled)) return;
        if (cost.error.code == static_cast<int>(atelier::ErrorCode::MissingModality)) cost.readable = false;
    }
    Q_EMIT attachmentPrepared(cost);
}

void ChatEngine::measureContext(const GenerationRequest& request) {
    if (!m->model || m->path != request.modelPath) return;  // measured once the model is loaded
    try {
        ContextUse use;
        use.positions = m->session->prompt_positions(toChatRequest(request), &use.droppedTurns);
        use.contextLength = m->model->llm().context_length();
        Q_EMIT contextMeasured(use);
    } catch (const std::exception&) {
        // a file that no longer reads: its chip says so; the meter keeps its last figure
    }
}
