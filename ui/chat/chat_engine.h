// The language model behind the chat page, on a worker thread of its own.
//
// ChatEngine owns the model, tokenizer and generator. It lives in a QThread and talks to the GUI
// only through queued signals. Each request carries its own CancelToken, which the caller may set
// from any thread: a Stop can never be lost to, or leak into, another request.
//
//   auto* engine = new ChatEngine;  engine->moveToThread(&thread);
//   connect(engine, &ChatEngine::textGenerated, view, &View::appendText);
//   QMetaObject::invokeMethod(engine, "generate", Qt::QueuedConnection, Q_ARG(GenerationRequest, req));
#pragma once

#include "engine_types.h"

#include <QObject>

#include <atomic>
#include <memory>

class ChatEngine : public QObject {
    Q_OBJECT
public:
    ChatEngine();
    ~ChatEngine() override;

    // Thread-safe: whether the request being served now has been cancelled.
    bool stopRequested() const;

public Q_SLOTS:
    void setSettings(const EngineSettings& settings);
    // Loads `path` unless it is already loaded with the current settings.
    void loadModel(const QString& path, const CancelToken& cancel);
    void unloadModel();
    // Loads the request's model when needed, renders the conversation with its template and
    // streams the reply.
    void generate(const GenerationRequest& request);
    // Measures (and encodes ahead of sending) an attachment for the model at `modelPath`, loading
    // it when needed: attachmentProgress while encoding, then attachmentPrepared.
    void prepareAttachment(const QString& modelPath, const AttachmentRecord& attachment,
                           const CancelToken& cancel);
    // The prompt positions `request` would take (nothing encoded, the model not loaded for it).
    void measureContext(const GenerationRequest& request);

Q_SIGNALS:
    void loadStarted(const QString& path);
    void loadProgress(double fraction);
    void modelLoaded(const LoadedModel& model);
    void loadFailed(const QString& path, const EngineError& error);
    void generationStarted();
    void textGenerated(const QString& piece);
    void generationFinished(const GenerationStats& stats);
    void generationFailed(const EngineError& error);
    void attachmentProgress(const QString& path, double fraction);
    void attachmentPrepared(const AttachmentCost& cost);
    void contextMeasured(const ContextUse& use);

private:
    // True when `path` is loaded; otherwise emits loadFailed and fills *error.
    bool ensureLoaded(const QString& path, const CancelToken& cancel, EngineError* error = nullptr);

    LoadedModel describeLoaded() const;  // what modelLoaded reports about the model in memory

    struct State;
    std::unique_ptr<State> m;
    std::atomic<std::atomic<bool>*> m_active{nullptr};  // the token of the request being served
};
