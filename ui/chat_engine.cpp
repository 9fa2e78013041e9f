#include "chat_engine.h"

#include "error_text.h"

#include "chat/chat_template.h"
#include "common/error.h"
#include "generate/generator.h"
#include "model/llama.h"
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <set>

struct ChatEngine::State {
    QString adapterPath;  // attached now
    EngineSettings settings;
    EngineSettings loadedWith;
    QString path;
    std::unique_ptr<atelier::LlamaModel> model;
    std::unique_ptr<atelier::Tokenizer> tokenizer;
    std::unique_ptr<atelier::Generator> generator;
    std::set<std::string> templatesWithStopIds;  // add_template_stop_ids applied once per template
};

namespace {

EngineError unexpected(const std::exception& e) {
    return {-1, QString(), QString::fromUtf8(e.what())};
}

}  // namespace

LoadedModel ChatEngine::describeLoaded() const {
    LoadedModel info;
    info.path = m->path;
    info.adapterMethod = QString::fromStdString(m->model->adapter_method());
    info.dtype = QString::fromStdString(m->model->dtype());
    info.computeDtype = QString::fromStdString(m->model->compute_dtype());
    info.device = QString::fromStdString(m->model->device());
    info.contextLength = m->model->context_length();
    info.templateName =
        QString::fromStdString(atelier::template_for_model(m->model->tokenizer_config_path()).name());
    return info;
}

ChatEngine::ChatEngine() : m(std::make_unique<State>()) {
    qRegisterMetaType<EngineError>();
    qRegisterMetaType<GenerationRequest>();
    qRegisterMetaType<GenerationStats>();
    qRegisterMetaType<LoadedModel>();
    qRegisterMetaType<EngineSettings>();
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
    m->generator.reset();
    m->tokenizer.reset();
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
        auto model = atelier::LlamaModel::load(path.toStdString(), opt);
        if (model->tokenizer_path().empty())
            throw atelier::Error(atelier::ErrorCode::FileNotFound, path.toStdString(),
                                 "no tokenizer.json or tokenizer.model beside the weights");
        auto tokenizer = atelier::load_tokenizer(model->tokenizer_path());
        m->model = std::move(model);
        m->tokenizer = std::move(tokenizer);
        m->generator = std::make_unique<atelier::Generator>(*m->model, *m->tokenizer);
        m->path = path;
        m->loadedWith = m->settings;
        m->templatesWithStopIds.clear();
    } catch (const atelier::Error& e) {
        fail(engineErrorFrom(e));
        return false;
    } catch (const std::exception& e) {
        fail(unexpected(e));
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
            if (request.adapterPath.isEmpty())
                m->model->detach_adapter();
            else
                m->model->attach_adapter(request.adapterPath.toStdString());
            m->adapterPath = request.adapterPath;
        } catch (const atelier::Error& e) {
            m->model->detach_adapter();
            m->adapterPath.clear();
            Q_EMIT generationFailed(engineErrorFrom(e));
            return;
        }
        Q_EMIT modelLoaded(describeLoaded());
    }
    Q_EMIT generationStarted();
    try {
        atelier::GenerationOptions opt;
        const SamplingSettings& s = request.sampling;
        opt.sampling.temperature = static_cast<float>(s.temperature);
        opt.sampling.top_p = static_cast<float>(s.topP);
        opt.sampling.top_k = s.topK;
        opt.sampling.min_p = static_cast<float>(s.minP);
        opt.sampling.repetition_penalty = static_cast<float>(s.repeatPenalty);
        opt.sampling.seed = s.seed;
        opt.max_new_tokens = s.maxTokens;

        const bool raw = request.templateName == QLatin1String("none");
        std::optional<atelier::ChatTemplate> tpl;
        if (!raw) {
            tpl = atelier::template_for_model(m->model->tokenizer_config_path(),
                                              request.templateName.toStdString());
            for (const auto& stop : tpl->stop_strings()) opt.stop_strings.push_back(stop);
            if (m->templatesWithStopIds.insert(tpl->name()).second)
                atelier::add_template_stop_ids(*tpl, *m->tokenizer);
        }

        // Renders turns [first, end); the system prompt always stays.
        auto render = [&](int first) {
            if (raw) {
                std::string text = request.systemPrompt.toStdString();
                for (int i = first; i < request.turns.size(); ++i)
                    text += request.turns[i].content.toStdString();
                return m->tokenizer->encode(text, /*add_bos=*/true);
            }
            std::vector<atelier::ChatMessage> msgs;
            if (!request.systemPrompt.isEmpty())
                msgs.push_back({"system", request.systemPrompt.toStdString()});
            for (int i = first; i < request.turns.size(); ++i)
                msgs.push_back({request.turns[i].role.toStdString(), request.turns[i].content.toStdString()});
            return atelier::encode_rendered(tpl->render(msgs, true), *m->tokenizer);
        };
        // Leave room for the reply: drop the oldest turns (in user/assistant pairs) until the
        // prompt and min(max tokens, a quarter of the context) fit.
        const int64_t ctx = m->model->context_length();
        const int64_t room = std::min<int64_t>(std::max(1, s.maxTokens), std::max<int64_t>(1, ctx / 4));
        int first = 0;
        std::vector<int> ids = render(first);
        while (static_cast<int64_t>(ids.size()) + room > ctx && first + 1 < request.turns.size()) {
            first += 2;
            first = std::min(first, static_cast<int>(request.turns.size()) - 1);
            ids = render(first);
        }

        auto result = m->generator->generate(
            ids, opt,
            [this](const std::string& piece) {
                Q_EMIT textGenerated(QString::fromStdString(piece));
                return true;
            },
            request.cancel.get());
        if (result.stop_reason == atelier::StopReason::ContextFull && result.tokens.empty())
            throw atelier::Error(atelier::ErrorCode::InvalidArgument, "prompt",
                                 "the message has " + std::to_string(ids.size()) +
                                     " tokens; the context holds " + std::to_string(ctx));
        GenerationStats stats;
        stats.tokens = static_cast<int>(result.tokens.size());
        stats.tokensPerSecond = result.decode_tokens_per_second();
        stats.firstTokenSeconds = result.first_token_seconds;
        stats.stopReason = QString::fromLatin1(atelier::stop_reason_name(result.stop_reason));
        stats.droppedTurns = first;
        Q_EMIT generationFinished(stats);
    } catch (const atelier::Error& e) {
        Q_EMIT generationFailed(engineErrorFrom(e));
    } catch (const std::exception& e) {
        Q_EMIT generationFailed(unexpected(e));
    }
}
