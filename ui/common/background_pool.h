// The studio's own thread pool for background jobs: media previews and probes, dataset previews,
// model folder checks, adapter merges.
//
//   watcher->setFuture(QtConcurrent::run(backgroundPool(), makeMediaPreview, path, kind, 8));
//
// Not QThreadPool::globalInstance(): Qt 6.4's raster paint engine splits large fills and lines
// across the global pool and waits for the pieces on the GUI thread, so a global pool busy decoding
// a video's frames held the GUI thread in paint events for 15-25 ms (docs/benchmarks.md, issue 14).
// Owned by the application object; call it only while one exists.
#pragma once

class QThreadPool;

QThreadPool* backgroundPool();
