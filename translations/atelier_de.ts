<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>AttachmentChip</name>
    <message>
        <source>Cannot play: %1</source>
        <translation>Nicht abspielbar: %1</translation>
    </message>
    <message>
        <source>Frame the model sees at %1</source>
        <translation>Einzelbild, das das Modell bei %1 sieht</translation>
    </message>
    <message>
        <source>Cannot be read: %1</source>
        <translation>Nicht lesbar: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n frame(s)</source>
        <translation>
            <numerusform>%n Einzelbild</numerusform>
            <numerusform>%n Einzelbilder</numerusform>
        </translation>
    </message>
    <message>
        <source>with sound</source>
        <translation>mit Ton</translation>
    </message>
    <message>
        <source>no sound</source>
        <translation>ohne Ton</translation>
    </message>
    <message>
        <source>Stop encoding (the file stays attached)</source>
        <translation>Kodierung abbrechen (die Datei bleibt angehängt)</translation>
    </message>
    <message>
        <source>encoding…</source>
        <translation>wird kodiert…</translation>
    </message>
    <message>
        <source>Not sent: the model reads media only</source>
        <translation>Nicht gesendet: Das Modell liest nur Medien</translation>
    </message>
    <message>
        <source>Not sent: this model cannot see images</source>
        <translation>Nicht gesendet: Dieses Modell kann keine Bilder sehen</translation>
    </message>
    <message>
        <source>Not sent: this model cannot hear audio</source>
        <translation>Nicht gesendet: Dieses Modell kann kein Audio hören</translation>
    </message>
    <message>
        <source>Not sent: this model cannot watch video</source>
        <translation>Nicht gesendet: Dieses Modell kann keine Videos ansehen</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n Token</numerusform>
            <numerusform>%n Tokens</numerusform>
        </translation>
    </message>
    <message>
        <source>Choose a model that reads this kind of media (a LLaVA folder or an Atelier bundle) to send it.</source>
        <translation>Wählen Sie ein Modell, das diese Art von Medien liest (einen LLaVA-Ordner oder ein Atelier-Bundle), um sie zu senden.</translation>
    </message>
    <message>
        <source>Remove attachment</source>
        <translation>Anhang entfernen</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>Abspielen</translation>
    </message>
</context>
<context>
    <name>ChatController</name>
    <message>
        <source>Your conversations could not be saved.</source>
        <translation>Ihre Unterhaltungen konnten nicht gespeichert werden.</translation>
    </message>
    <message>
        <source>Model loading cancelled.</source>
        <translation>Laden des Modells abgebrochen.</translation>
    </message>
    <message>
        <source>Cannot load the model %1.</source>
        <translation>Das Modell %1 kann nicht geladen werden.</translation>
    </message>
    <message>
        <source>Add a model on the Models page first.</source>
        <translation>Fügen Sie zuerst auf der Seite „Modelle“ ein Modell hinzu.</translation>
    </message>
    <message>
        <source>Attachments</source>
        <translation>Anhänge</translation>
    </message>
    <message numerus="yes">
        <source>%n attachment(s) not sent: this model cannot read them.</source>
        <translation>
            <numerusform>%n Anhang nicht gesendet: Dieses Modell kann ihn nicht lesen.</numerusform>
            <numerusform>%n Anhänge nicht gesendet: Dieses Modell kann sie nicht lesen.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The conversation is longer than the model&apos;s context: the oldest %n message(s) were left out.</source>
        <translation>
            <numerusform>Die Unterhaltung ist länger als der Kontext des Modells: Die älteste Nachricht wurde weggelassen.</numerusform>
            <numerusform>Die Unterhaltung ist länger als der Kontext des Modells: Die ältesten %n Nachrichten wurden weggelassen.</numerusform>
        </translation>
    </message>
    <message>
        <source>The model could not answer.</source>
        <translation>Das Modell konnte nicht antworten.</translation>
    </message>
</context>
<context>
    <name>ChatPage</name>
    <message>
        <source>Rename…</source>
        <translation>Umbenennen…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Cannot attach %1: the file cannot be read.</source>
        <translation>%1 kann nicht angehängt werden: Die Datei ist nicht lesbar.</translation>
    </message>
    <message>
        <source>The pasted image could not be saved to the data folder.</source>
        <translation>Das eingefügte Bild konnte nicht im Datenordner gespeichert werden.</translation>
    </message>
    <message>
        <source>Recording failed.</source>
        <translation>Aufnahme fehlgeschlagen.</translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>In die Zwischenablage kopiert.</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>%1 wird geladen…</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>Neuer Chat</translation>
    </message>
    <message>
        <source>Start a new conversation (%1)</source>
        <translation>Neue Unterhaltung beginnen (%1)</translation>
    </message>
    <message>
        <source>Search conversations (%1)</source>
        <translation>Unterhaltungen durchsuchen (%1)</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <source>Export as Markdown…</source>
        <translation>Als Markdown exportieren…</translation>
    </message>
    <message>
        <source>Export as JSON…</source>
        <translation>Als JSON exportieren…</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Show or hide this conversation&apos;s settings</source>
        <translation>Einstellungen dieser Unterhaltung ein- oder ausblenden</translation>
    </message>
    <message>
        <source>The model that answers in this conversation</source>
        <translation>Das Modell, das in dieser Unterhaltung antwortet</translation>
    </message>
    <message>
        <source>Chat with the base model, without the adapter</source>
        <translation>Mit dem Basismodell chatten, ohne den Adapter</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Add a model…</source>
        <translation>Modell hinzufügen…</translation>
    </message>
    <message>
        <source>Cancel editing</source>
        <translation>Bearbeiten abbrechen</translation>
    </message>
    <message>
        <source>Editing a message: sending replaces it and every message after it.</source>
        <translation>Nachricht wird bearbeitet: Beim Senden werden sie und alle folgenden Nachrichten ersetzt.</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Send (Enter)</source>
        <translation>Senden (Enter)</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stopp</translation>
    </message>
    <message>
        <source>Stop the reply (Esc)</source>
        <translation>Antwort stoppen (Esc)</translation>
    </message>
    <message>
        <source>No model yet.
Add a model folder (Hugging Face, Meta or llama2.c) on the Models page to start chatting.</source>
        <translation>Noch kein Modell.
Fügen Sie auf der Seite „Modelle“ einen Modellordner (Hugging Face, Meta oder llama2.c) hinzu, um zu chatten.</translation>
    </message>
    <message>
        <source>Ask anything.
Drop images, audio or video on the window to attach them.</source>
        <translation>Fragen Sie, was Sie möchten.
Ziehen Sie Bilder, Audio oder Videos auf das Fenster, um sie anzuhängen.</translation>
    </message>
    <message>
        <source>image</source>
        <translation>Bild</translation>
    </message>
    <message>
        <source>audio</source>
        <translation>Audio</translation>
    </message>
    <message>
        <source>video</source>
        <translation>Video</translation>
    </message>
    <message>
        <source>file</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>Attach images, audio or video</source>
        <translation>Bilder, Audio oder Videos anhängen</translation>
    </message>
    <message>
        <source>Record a voice message (or hold %1 while typing)</source>
        <translation>Sprachnachricht aufnehmen (oder beim Tippen %1 gedrückt halten)</translation>
    </message>
    <message>
        <source>%1 reads text only: attachments are kept with the message but not sent to it.</source>
        <translation>%1 liest nur Text: Anhänge bleiben bei der Nachricht, werden aber nicht an das Modell gesendet.</translation>
    </message>
    <message>
        <source>%1 reads: %2.</source>
        <translation>%1 liest: %2.</translation>
    </message>
    <message>
        <source>%1 cannot hear: a recording is kept with the message but not sent to it.</source>
        <translation>%1 kann nicht hören: Eine Aufnahme bleibt bei der Nachricht, wird aber nicht an das Modell gesendet.</translation>
    </message>
    <message>
        <source>%1 / %2 tokens</source>
        <translation>%1 / %2 Tokens</translation>
    </message>
    <message>
        <source>The conversation and your draft take %1 of the model&apos;s %2 context positions.</source>
        <translation>Die Unterhaltung und Ihr Entwurf belegen %1 der %2 Kontextpositionen des Modells.</translation>
    </message>
    <message numerus="yes">
        <source>The oldest %n message(s) will be left out to fit.</source>
        <translation>
            <numerusform>Die älteste Nachricht wird weggelassen, damit alles passt.</numerusform>
            <numerusform>Die ältesten %n Nachrichten werden weggelassen, damit alles passt.</numerusform>
        </translation>
    </message>
    <message>
        <source>Adapter: %1</source>
        <translation>Adapter: %1</translation>
    </message>
    <message>
        <source>Delete conversation</source>
        <translation>Unterhaltung löschen</translation>
    </message>
    <message>
        <source>Delete &quot;%1&quot; and all its messages? This cannot be undone.</source>
        <translation>„%1“ und alle zugehörigen Nachrichten löschen? Dies kann nicht rückgängig gemacht werden.</translation>
    </message>
    <message>
        <source>Send without the attachments?</source>
        <translation>Ohne die Anhänge senden?</translation>
    </message>
    <message>
        <source>%1 cannot read:
%2

They stay with your message, but the model will not see them. Send the text alone?</source>
        <translation>%1 kann Folgendes nicht lesen:
%2

Die Anhänge bleiben bei Ihrer Nachricht, aber das Modell sieht sie nicht. Nur den Text senden?</translation>
    </message>
    <message>
        <source>Send the text alone</source>
        <translation>Nur den Text senden</translation>
    </message>
    <message>
        <source>Attach files</source>
        <translation>Dateien anhängen</translation>
    </message>
    <message>
        <source>Media (*.png *.jpg *.jpeg *.webp *.bmp *.gif *.wav *.mp3 *.flac *.ogg *.m4a *.mp4 *.mkv *.webm *.mov *.avi);;All files (*)</source>
        <translation>Medien (*.png *.jpg *.jpeg *.webp *.bmp *.gif *.wav *.mp3 *.flac *.ogg *.m4a *.mp4 *.mkv *.webm *.mov *.avi);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>There is nothing to export yet.</source>
        <translation>Es gibt noch nichts zu exportieren.</translation>
    </message>
    <message>
        <source>Export conversation</source>
        <translation>Unterhaltung exportieren</translation>
    </message>
    <message>
        <source>JSON (*.json)</source>
        <translation>JSON (*.json)</translation>
    </message>
    <message>
        <source>Markdown (*.md)</source>
        <translation>Markdown (*.md)</translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
    <message>
        <source>Exported to %1</source>
        <translation>Nach %1 exportiert</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>%1 · %2 left</source>
        <translation>%1 · noch %2</translation>
    </message>
    <message>
        <source>Message (Enter to send, Shift+Enter for a new line, hold Ctrl+Space to talk)</source>
        <translation>Nachricht (Enter zum Senden, Shift+Enter für eine neue Zeile, Ctrl+Space gedrückt halten zum Sprechen)</translation>
    </message>
    <message>
        <source>This model reads text only: attachments are kept with the message, but the model does not see them.</source>
        <translation>Dieses Modell liest nur Text: Anhänge bleiben bei der Nachricht, aber das Modell sieht sie nicht.</translation>
    </message>
    <message>
        <source>Recording</source>
        <translation>Aufnahme</translation>
    </message>
    <message>
        <source>Attach</source>
        <translation>Anhängen</translation>
    </message>
    <message>
        <source>Stop recording and attach it</source>
        <translation>Aufnahme beenden und anhängen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Stop recording and throw it away</source>
        <translation>Aufnahme beenden und verwerfen</translation>
    </message>
    <message>
        <source>Input level</source>
        <translation>Eingangspegel</translation>
    </message>
</context>
<context>
    <name>ConversationListModel</name>
    <message>
        <source>%1
Last active %2</source>
        <translation>%1
Zuletzt aktiv: %2</translation>
    </message>
</context>
<context>
    <name>ConversationSettingsPanel</name>
    <message>
        <source>Conversation settings</source>
        <translation>Unterhaltungseinstellungen</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>System-Prompt</translation>
    </message>
    <message>
        <source>Optional instructions for the model, e.g. &quot;Answer briefly.&quot;</source>
        <translation>Optionale Anweisungen für das Modell, z. B. „Antworte kurz.“</translation>
    </message>
    <message>
        <source>Model default</source>
        <translation>Modellstandard</translation>
    </message>
    <message>
        <source>None: continue the text</source>
        <translation>Keine: Text fortsetzen</translation>
    </message>
    <message>
        <source>Random</source>
        <translation>Zufällig</translation>
    </message>
    <message>
        <source>Chat template</source>
        <translation>Chat-Vorlage</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>Temperatur</translation>
    </message>
    <message>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <source>Min-p</source>
        <translation>Min-p</translation>
    </message>
    <message>
        <source>Max tokens</source>
        <translation>Max. Tokens</translation>
    </message>
    <message>
        <source>Repetition penalty</source>
        <translation>Wiederholungsstrafe</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <source>How the conversation is laid out for the model. &quot;None&quot; continues your text as written.</source>
        <translation>Wie die Unterhaltung für das Modell aufbereitet wird. „Keine“ setzt Ihren Text unverändert fort.</translation>
    </message>
    <message>
        <source>Randomness: 0 always picks the most likely token; higher values are more varied.</source>
        <translation>Zufälligkeit: 0 wählt immer das wahrscheinlichste Token; höhere Werte sorgen für mehr Abwechslung.</translation>
    </message>
    <message>
        <source>Sample only from the most likely tokens whose probabilities add up to this.</source>
        <translation>Nur aus den wahrscheinlichsten Tokens wählen, deren Wahrscheinlichkeiten zusammen diesen Wert ergeben.</translation>
    </message>
    <message>
        <source>Sample only from this many most likely tokens (0 = no limit).</source>
        <translation>Nur aus so vielen der wahrscheinlichsten Tokens wählen (0 = keine Grenze).</translation>
    </message>
    <message>
        <source>Drop tokens less likely than this fraction of the most likely one (0 = off).</source>
        <translation>Tokens verwerfen, deren Wahrscheinlichkeit unter diesem Anteil der des wahrscheinlichsten Tokens liegt (0 = aus).</translation>
    </message>
    <message>
        <source>The longest reply, in tokens.</source>
        <translation>Die maximale Länge der Antwort, in Tokens.</translation>
    </message>
    <message>
        <source>Makes repeating recent tokens less likely (1 = off).</source>
        <translation>Macht das Wiederholen kürzlich erzeugter Tokens unwahrscheinlicher (1 = aus).</translation>
    </message>
    <message>
        <source>The same seed and settings give the same reply; Random picks a new one each time.</source>
        <translation>Gleicher Seed und gleiche Einstellungen ergeben dieselbe Antwort; „Zufällig“ wählt jedes Mal einen neuen Seed.</translation>
    </message>
</context>
<context>
    <name>DatasetPreviewText</name>
    <message>
        <source>Image</source>
        <translation>Bild</translation>
    </message>
    <message>
        <source>Audio</source>
        <translation>Audio</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>Video</translation>
    </message>
    <message>
        <source>%1 %2 cannot be read: %3</source>
        <translation>%1 %2 ist nicht lesbar: %3</translation>
    </message>
    <message>
        <source>%1 %2: %3×%4 pixels</source>
        <translation>%1 %2: %3×%4 Pixel</translation>
    </message>
    <message>
        <source>%1 %2: %3 s, %4×%5, %6 frames sampled</source>
        <translation>%1 %2: %3 s, %4×%5, %6 Einzelbilder entnommen</translation>
    </message>
    <message>
        <source>%1 %2: %3 s</source>
        <translation>%1 %2: %3 s</translation>
    </message>
</context>
<context>
    <name>EngineError</name>
    <message>
        <source>The file could not be read or written.</source>
        <translation>Die Datei konnte nicht gelesen oder geschrieben werden.</translation>
    </message>
    <message>
        <source>A file the model needs was not found.</source>
        <translation>Eine Datei, die das Modell benötigt, wurde nicht gefunden.</translation>
    </message>
    <message>
        <source>The file is shorter than its header says: it may be incomplete.</source>
        <translation>Die Datei ist kürzer, als ihr Header angibt: Sie ist möglicherweise unvollständig.</translation>
    </message>
    <message>
        <source>The file&apos;s header is invalid.</source>
        <translation>Der Header der Datei ist ungültig.</translation>
    </message>
    <message>
        <source>A JSON file is malformed.</source>
        <translation>Eine JSON-Datei ist fehlerhaft.</translation>
    </message>
    <message>
        <source>The weights use a number format Atelier does not read.</source>
        <translation>Die Gewichte verwenden ein Zahlenformat, das Atelier nicht lesen kann.</translation>
    </message>
    <message>
        <source>The weights file is corrupt: a tensor lies outside the file.</source>
        <translation>Die Gewichtsdatei ist beschädigt: Ein Tensor liegt außerhalb der Datei.</translation>
    </message>
    <message>
        <source>The weights file is corrupt: two tensors overlap.</source>
        <translation>Die Gewichtsdatei ist beschädigt: Zwei Tensoren überlappen sich.</translation>
    </message>
    <message>
        <source>A tensor has the wrong size for this model.</source>
        <translation>Ein Tensor hat die falsche Größe für dieses Modell.</translation>
    </message>
    <message>
        <source>The weights are incomplete: a tensor is missing.</source>
        <translation>Die Gewichte sind unvollständig: Ein Tensor fehlt.</translation>
    </message>
    <message>
        <source>This is not a model folder Atelier can read.</source>
        <translation>Dies ist kein Modellordner, den Atelier lesen kann.</translation>
    </message>
    <message>
        <source>This model architecture is not supported.</source>
        <translation>Diese Modellarchitektur wird nicht unterstützt.</translation>
    </message>
    <message>
        <source>The model&apos;s configuration is invalid.</source>
        <translation>Die Konfiguration des Modells ist ungültig.</translation>
    </message>
    <message>
        <source>The tokenizer could not be loaded.</source>
        <translation>Der Tokenizer konnte nicht geladen werden.</translation>
    </message>
    <message>
        <source>Unknown chat template.</source>
        <translation>Unbekannte Chat-Vorlage.</translation>
    </message>
    <message>
        <source>The request is invalid.</source>
        <translation>Die Anfrage ist ungültig.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Abgebrochen.</translation>
    </message>
    <message>
        <source>This is not an image, audio or video file Atelier can read, or it is damaged.</source>
        <translation>Dies ist keine Bild-, Audio- oder Videodatei, die Atelier lesen kann, oder sie ist beschädigt.</translation>
    </message>
    <message>
        <source>The media file has no picture or sound of the kind needed.</source>
        <translation>Die Mediendatei enthält kein Bild bzw. keinen Ton der benötigten Art.</translation>
    </message>
    <message>
        <source>The media file uses a format this installation cannot decode.</source>
        <translation>Die Mediendatei verwendet ein Format, das diese Installation nicht dekodieren kann.</translation>
    </message>
    <message>
        <source>The media file is too large or too long.</source>
        <translation>Die Mediendatei ist zu groß oder zu lang.</translation>
    </message>
    <message>
        <source>This model cannot read this kind of media.</source>
        <translation>Dieses Modell kann diese Art von Medien nicht lesen.</translation>
    </message>
    <message>
        <source>No microphone was found. Connect one, or choose another input in Settings.</source>
        <translation>Es wurde kein Mikrofon gefunden. Schließen Sie eines an oder wählen Sie in den Einstellungen einen anderen Eingang.</translation>
    </message>
    <message>
        <source>The microphone cannot be opened: another program may be using it, or it was unplugged.</source>
        <translation>Das Mikrofon kann nicht geöffnet werden: Möglicherweise wird es von einem anderen Programm verwendet oder es wurde getrennt.</translation>
    </message>
    <message>
        <source>The microphone stopped during the recording. What was recorded until then is kept.</source>
        <translation>Das Mikrofon ist während der Aufnahme ausgefallen. Das bis dahin Aufgenommene bleibt erhalten.</translation>
    </message>
    <message>
        <source>Unexpected error.</source>
        <translation>Unerwarteter Fehler.</translation>
    </message>
    <message>
        <source>One of the run&apos;s training processes stopped or stopped answering, so the run ended. Its last checkpoint is kept: continue the run to resume from it.</source>
        <translation>Einer der Trainingsprozesse des Laufs wurde beendet oder antwortet nicht mehr, daher wurde der Lauf beendet. Sein letzter Checkpoint bleibt erhalten: Setzen Sie den Lauf fort, um dort weiterzumachen.</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Atelier</source>
        <translation>Atelier</translation>
    </message>
    <message>
        <source>Run %1 finished.</source>
        <translation>Lauf %1 abgeschlossen.</translation>
    </message>
    <message>
        <source>Run %1 failed.</source>
        <translation>Lauf %1 fehlgeschlagen.</translation>
    </message>
    <message>
        <source>Run %1 ended.</source>
        <translation>Lauf %1 beendet.</translation>
    </message>
    <message>
        <source>Longest GUI stall: %1 ms</source>
        <translation>Längste GUI-Blockade: %1 ms</translation>
    </message>
    <message>
        <source>About Atelier</source>
        <translation>Über Atelier</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Atelier %1&lt;/h3&gt;&lt;p&gt;Chat with LLaMA-family models and fine-tune your own adapters, natively: C++, Qt and LibTorch, no Python.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Atelier %1&lt;/h3&gt;&lt;p&gt;Chatten Sie mit Modellen der LLaMA-Familie und trainieren Sie per Feinabstimmung eigene Adapter – nativ: C++, Qt und LibTorch, ohne Python.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>Chat</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>Läufe</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>The run store cannot be opened:
%1</source>
        <translation>Die Datenbank der Läufe kann nicht geöffnet werden:
%1</translation>
    </message>
    <message>
        <source>%1 · %2 · %3 · context %4</source>
        <translation>%1 · %2 · %3 · Kontext %4</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;New chat</source>
        <translation>&amp;Neuer Chat</translation>
    </message>
    <message>
        <source>&amp;Add model folder…</source>
        <translation>Modell&amp;ordner hinzufügen…</translation>
    </message>
    <message>
        <source>&amp;Export conversation…</source>
        <translation>Unterhaltung &amp;exportieren…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Search conversations</source>
        <translation>Unterhaltungen &amp;durchsuchen</translation>
    </message>
    <message>
        <source>&amp;Performance overlay</source>
        <translation>&amp;Leistungsanzeige</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;About Atelier</source>
        <translation>&amp;Über Atelier</translation>
    </message>
</context>
<context>
    <name>MediaViewer</name>
    <message>
        <source>The file is no longer there: %1</source>
        <translation>Die Datei ist nicht mehr vorhanden: %1</translation>
    </message>
    <message>
        <source>This image cannot be shown here.</source>
        <translation>Dieses Bild kann hier nicht angezeigt werden.</translation>
    </message>
    <message>
        <source>Cannot play here: %1</source>
        <translation>Hier nicht abspielbar: %1</translation>
    </message>
    <message>
        <source>Open in another application</source>
        <translation>In anderer Anwendung öffnen</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
</context>
<context>
    <name>MessageDelegate</name>
    <message>
        <source>You</source>
        <translation>Sie</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>Assistent</translation>
    </message>
    <message>
        <source>Generating…</source>
        <translation>Wird generiert…</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>Gestoppt</translation>
    </message>
    <message>
        <source>Interrupted: the app closed before this reply finished</source>
        <translation>Unterbrochen: Die App wurde beendet, bevor diese Antwort fertig war</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Bearbeiten</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>Neu generieren</translation>
    </message>
    <message>
        <source>Copy code</source>
        <translation>Code kopieren</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n Token</numerusform>
            <numerusform>%n Tokens</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 tokens/s</source>
        <translation>%1 Tokens/s</translation>
    </message>
</context>
<context>
    <name>MetricChart</name>
    <message>
        <source>Export chart</source>
        <translation>Diagramm exportieren</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>PNG-Bild (*.png)</translation>
    </message>
    <message>
        <source>Export points</source>
        <translation>Datenpunkte exportieren</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>Training loss</source>
        <translation>Trainingsverlust</translation>
    </message>
    <message>
        <source>Eval loss</source>
        <translation>Eval-Verlust</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>Lernrate</translation>
    </message>
    <message>
        <source>Gradient norm</source>
        <translation>Gradientennorm</translation>
    </message>
    <message>
        <source>Tokens per second</source>
        <translation>Tokens pro Sekunde</translation>
    </message>
    <message>
        <source>Smoothing</source>
        <translation>Glättung</translation>
    </message>
    <message>
        <source>Exponential moving average of the loss; the raw points stay visible, lighter</source>
        <translation>Exponentieller gleitender Mittelwert des Verlusts; die Rohwerte bleiben heller sichtbar</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>Log-Skala</translation>
    </message>
    <message>
        <source>Reset zoom</source>
        <translation>Zoom zurücksetzen</translation>
    </message>
    <message>
        <source>Drag a rectangle to zoom in, scroll to pan along the steps, Ctrl+scroll to zoom</source>
        <translation>Rechteck aufziehen zum Vergrößern, scrollen zum Verschieben entlang der Schritte, Ctrl+Scrollen zum Zoomen</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <source>Export as PNG…</source>
        <translation>Als PNG exportieren…</translation>
    </message>
    <message>
        <source>Export points as CSV…</source>
        <translation>Datenpunkte als CSV exportieren…</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>Run %1</source>
        <translation>Lauf %1</translation>
    </message>
    <message>
        <source>run %1 · step %2 · %3</source>
        <translation>Lauf %1 · Schritt %2 · %3</translation>
    </message>
    <message>
        <source>Run %1 (raw)</source>
        <translation>Lauf %1 (roh)</translation>
    </message>
    <message>
        <source>Raw</source>
        <translation>Roh</translation>
    </message>
    <message>
        <source>Run %1 (smoothed)</source>
        <translation>Lauf %1 (geglättet)</translation>
    </message>
    <message>
        <source>Smoothed</source>
        <translation>Geglättet</translation>
    </message>
</context>
<context>
    <name>ModelsPage</name>
    <message>
        <source>Sees images</source>
        <translation>Sieht Bilder</translation>
    </message>
    <message>
        <source>Hears audio</source>
        <translation>Hört Audio</translation>
    </message>
    <message>
        <source>Watches video</source>
        <translation>Sieht Videos</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s) per image</source>
        <translation>
            <numerusform>%n Token pro Bild</numerusform>
            <numerusform>%n Tokens pro Bild</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n token(s) per video (%1 frames)</source>
        <translation>
            <numerusform>%n Token pro Video (%1 Einzelbilder)</numerusform>
            <numerusform>%n Tokens pro Video (%1 Einzelbilder)</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 tokens per second</source>
        <translation>%1 Tokens pro Sekunde</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>Standard</translation>
    </message>
    <message>
        <source>%1 · %2 parameters · %3 · context %4 · template %5</source>
        <translation>%1 · %2 Parameter · %3 · Kontext %4 · Vorlage %5</translation>
    </message>
    <message>
        <source>%1 on disk · %2 format · %3</source>
        <translation>%1 auf dem Datenträger · Format %2 · %3</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <source>Add a Hugging Face folder (config.json + safetensors), a Meta folder (params.json + consolidated.00.pth), a llama2.c .bin file, a LLaVA-1.5 folder or an Atelier multimodal bundle (it sees, hears or watches what its badges say). You can also drop folders here. Removing a model only takes it off this list; its files stay.</source>
        <translation>Fügen Sie einen Ordner von Hugging Face (config.json + safetensors), einen Meta-Ordner (params.json + consolidated.00.pth), eine .bin-Datei von llama2.c, einen LLaVA-1.5-Ordner oder ein multimodales Atelier-Bundle hinzu (es sieht, hört oder schaut, was seine Kennzeichen angeben). Sie können Ordner auch hierher ziehen. Das Entfernen eines Modells nimmt es nur aus dieser Liste; seine Dateien bleiben erhalten.</translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation>Ordner hinzufügen…</translation>
    </message>
    <message>
        <source>Add file…</source>
        <translation>Datei hinzufügen…</translation>
    </message>
    <message>
        <source>Set as default</source>
        <translation>Als Standard festlegen</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Remove from the library (the files stay on disk)</source>
        <translation>Aus der Bibliothek entfernen (die Dateien bleiben auf dem Datenträger)</translation>
    </message>
    <message>
        <source>Checking %1…</source>
        <translation>%1 wird geprüft…</translation>
    </message>
    <message>
        <source>Choose a model folder</source>
        <translation>Modellordner auswählen</translation>
    </message>
    <message>
        <source>Choose a model file</source>
        <translation>Modelldatei auswählen</translation>
    </message>
    <message>
        <source>Model files (*.bin *.safetensors);;All files (*)</source>
        <translation>Modelldateien (*.bin *.safetensors);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>%1 was not added.</source>
        <translation>%1 wurde nicht hinzugefügt.</translation>
    </message>
</context>
<context>
    <name>MultimodalOptions</name>
    <message>
        <source>Stage</source>
        <translation>Stufe</translation>
    </message>
    <message>
        <source>Text only: the adapter learns from the text, as before. Stage 1 trains projectors that turn the encoders&apos; features into tokens of the frozen model (LLaVA, AnyMAL); stage 2 trains the projectors and the adapter above; the bind network (ImageBind-LLM) adds the media to every layer through gates that start at zero.</source>
        <translation>Nur Text: Der Adapter lernt wie bisher aus dem Text. Stufe 1 trainiert Projektoren, die die Merkmale der Encoder in Tokens des eingefrorenen Modells umwandeln (LLaVA, AnyMAL); Stufe 2 trainiert die Projektoren und den oben eingestellten Adapter; das Bind-Netzwerk (ImageBind-LLM) führt die Medien jeder Schicht über Gates zu, die bei null beginnen.</translation>
    </message>
    <message>
        <source>Image encoder</source>
        <translation>Bild-Encoder</translation>
    </message>
    <message>
        <source>Folder of a CLIP-style vision encoder; a multimodal bundle brings its own</source>
        <translation>Ordner eines Bild-Encoders im Stil von CLIP; ein multimodales Bundle bringt seinen eigenen mit</translation>
    </message>
    <message>
        <source>Audio encoder</source>
        <translation>Audio-Encoder</translation>
    </message>
    <message>
        <source>Folder of a Whisper-style audio encoder; a multimodal bundle brings its own</source>
        <translation>Ordner eines Audio-Encoders im Stil von Whisper; ein multimodales Bundle bringt seinen eigenen mit</translation>
    </message>
    <message>
        <source>Encoders</source>
        <translation>Encoder</translation>
    </message>
    <message>
        <source>Unfreeze the encoders (for small encoders trained from scratch). Frozen encoders are run once per file and their features cached.</source>
        <translation>Die Encoder nicht einfrieren (für kleine, von Grund auf trainierte Encoder). Eingefrorene Encoder laufen einmal pro Datei, ihre Merkmale werden zwischengespeichert.</translation>
    </message>
    <message>
        <source>Video temporal module</source>
        <translation>Zeitliches Videomodul</translation>
    </message>
    <message>
        <source>How a video&apos;s sampled frames become tokens: a Q-Former (Video-LLaMA), a space-time DCT (each frame pooled to a small grid, then the mean frame and how each cell changes over time; learns motion fast) or a Perceiver over all frames; None passes every frame on as image tokens. The bind network has none.</source>
        <translation>Wie die entnommenen Einzelbilder eines Videos zu Tokens werden: ein Q-Former (Video-LLaMA), eine Raum-Zeit-DCT (jedes Einzelbild wird auf ein kleines Raster gepoolt, dann das mittlere Einzelbild und wie sich jede Zelle über die Zeit ändert; lernt Bewegung schnell) oder ein Perceiver über alle Einzelbilder; „Keines“ gibt jedes Einzelbild als Bild-Tokens weiter. Das Bind-Netzwerk hat keines.</translation>
    </message>
    <message>
        <source>Frames per video</source>
        <translation>Bilder pro Video</translation>
    </message>
    <message>
        <source>Frames sampled evenly through each video</source>
        <translation>Gleichmäßig über jedes Video verteilt entnommene Einzelbilder</translation>
    </message>
    <message>
        <source>Projector learning rate</source>
        <translation>Projektor-Lernrate</translation>
    </message>
    <message>
        <source>Peak learning rate of the projectors; 0 uses the learning rate above</source>
        <translation>Maximale Lernrate der Projektoren; 0 verwendet die obige Lernrate</translation>
    </message>
    <message>
        <source>Choose the image encoder folder</source>
        <translation>Ordner des Bild-Encoders auswählen</translation>
    </message>
    <message>
        <source>Choose the audio encoder folder</source>
        <translation>Ordner des Audio-Encoders auswählen</translation>
    </message>
    <message>
        <source>Multimodal training</source>
        <translation>Multimodales Training</translation>
    </message>
    <message>
        <source>Text only</source>
        <translation>Nur Text</translation>
    </message>
    <message>
        <source>Projectors (stage 1)</source>
        <translation>Projektoren (Stufe 1)</translation>
    </message>
    <message>
        <source>Projectors + adapter (stage 2)</source>
        <translation>Projektoren + Adapter (Stufe 2)</translation>
    </message>
    <message>
        <source>Bind network (ImageBind-LLM)</source>
        <translation>Bind-Netzwerk (ImageBind-LLM)</translation>
    </message>
    <message>
        <source>Space-time DCT</source>
        <translation>Raum-Zeit-DCT</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Keines</translation>
    </message>
    <message>
        <source>Train the encoders too</source>
        <translation>Encoder mittrainieren</translation>
    </message>
    <message>
        <source>Same as the learning rate</source>
        <translation>Wie die Lernrate</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>A folder</source>
        <translation>Ein Ordner</translation>
    </message>
</context>
<context>
    <name>RunEvalModel</name>
    <message>
        <source>(no group)</source>
        <translation>(keine Gruppe)</translation>
    </message>
    <message>
        <source>Perplexity: lower is better</source>
        <translation>Perplexität: niedriger ist besser</translation>
    </message>
    <message>
        <source>Perplexity of the references: %1</source>
        <translation>Perplexität der Referenzen: %1</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>Modell: %1</translation>
    </message>
    <message>
        <source>Evaluated / group</source>
        <translation>Ausgewertet / Gruppe</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>Datensatz</translation>
    </message>
    <message>
        <source>Metric</source>
        <translation>Metrik</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>Einträge</translation>
    </message>
</context>
<context>
    <name>RunEvals</name>
    <message>
        <source>Evaluations of run %1</source>
        <translation>Auswertungen von Lauf %1</translation>
    </message>
    <message>
        <source>Evaluations</source>
        <translation>Auswertungen</translation>
    </message>
    <message>
        <source>No evaluations yet — run atelier-cli eval --run %1 %2 --data FILE%3 to score this run&apos;s result on a test set.</source>
        <translation>Noch keine Auswertungen – führen Sie atelier-cli eval --run %1 %2 --data FILE%3 aus, um das Ergebnis dieses Laufs auf einem Testdatensatz zu bewerten.</translation>
    </message>
</context>
<context>
    <name>RunListModel</name>
    <message>
        <source>Queued</source>
        <translation>Wartend</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>Abgeschlossen</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>Gestoppt</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Interrupted</source>
        <translation>Unterbrochen</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Lauf</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Methode</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>Datensatz</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Best eval loss</source>
        <translation>Bester Eval-Verlust</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>Schritte</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Erstellt</translation>
    </message>
    <message>
        <source>Processes</source>
        <translation>Prozesse</translation>
    </message>
</context>
<context>
    <name>RunsPage</name>
    <message>
        <source>image encoder %1</source>
        <translation>Bild-Encoder %1</translation>
    </message>
    <message>
        <source>audio encoder %1</source>
        <translation>Audio-Encoder %1</translation>
    </message>
    <message>
        <source>the model&apos;s own encoders</source>
        <translation>die eigenen Encoder des Modells</translation>
    </message>
    <message>
        <source>encoders trained</source>
        <translation>Encoder mittrainiert</translation>
    </message>
    <message>
        <source>Multimodal · stage %1 · %2</source>
        <translation>Multimodal · Stufe %1 · %2</translation>
    </message>
    <message>
        <source>Multimodal · projectors (stage 1)</source>
        <translation>Multimodal · Projektoren (Stufe 1)</translation>
    </message>
    <message>
        <source>Multimodal · bind network</source>
        <translation>Multimodal · Bind-Netzwerk</translation>
    </message>
    <message>
        <source>Multimodal · projectors + %1 (stage 2)</source>
        <translation>Multimodal · Projektoren + %1 (Stufe 2)</translation>
    </message>
    <message>
        <source>Merged model written.</source>
        <translation>Zusammengeführtes Modell gespeichert.</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>Läufe</translation>
    </message>
    <message>
        <source>Filter by model, method, dataset or status</source>
        <translation>Nach Modell, Methode, Datensatz oder Status filtern</translation>
    </message>
    <message>
        <source>Chat with this adapter</source>
        <translation>Mit diesem Adapter chatten</translation>
    </message>
    <message>
        <source>Open a chat with the base model and this run&apos;s adapter attached</source>
        <translation>Einen Chat mit dem Basismodell und dem Adapter dieses Laufs öffnen</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>Resume training from the run&apos;s last checkpoint</source>
        <translation>Training ab dem letzten Checkpoint des Laufs fortsetzen</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stopp</translation>
    </message>
    <message>
        <source>Stop at the end of the current step, after writing a checkpoint</source>
        <translation>Am Ende des aktuellen Schritts stoppen, nachdem ein Checkpoint geschrieben wurde</translation>
    </message>
    <message>
        <source>Configuration</source>
        <translation>Konfiguration</translation>
    </message>
    <message>
        <source>Export adapter…</source>
        <translation>Adapter exportieren…</translation>
    </message>
    <message>
        <source>Copy the adapter (safetensors; LoRA in PEFT&apos;s layout) to a folder</source>
        <translation>Den Adapter (safetensors; LoRA im PEFT-Layout) in einen Ordner kopieren</translation>
    </message>
    <message>
        <source>Export merged model…</source>
        <translation>Als Modell exportieren…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Remove the run from this list; its files stay on disk</source>
        <translation>Den Lauf aus dieser Liste entfernen; seine Dateien bleiben auf dem Datenträger</translation>
    </message>
    <message>
        <source>A LLaMA-Adapter cannot be merged: its prompt tokens are an attention branch, not weights. Use it as an adapter.</source>
        <translation>Ein LLaMA-Adapter kann nicht zusammengeführt werden: Seine Prompt-Tokens sind ein Attention-Zweig, keine Gewichte. Verwenden Sie ihn als Adapter.</translation>
    </message>
    <message>
        <source>Fold the adapter into the base weights and save a Hugging Face folder</source>
        <translation>Den Adapter in die Basisgewichte einrechnen und als Ordner im Format von Hugging Face speichern</translation>
    </message>
    <message>
        <source>Chat with run %1</source>
        <translation>Chat mit Lauf %1</translation>
    </message>
    <message>
        <source>Run %1 continues from its last checkpoint.</source>
        <translation>Lauf %1 wird ab seinem letzten Checkpoint fortgesetzt.</translation>
    </message>
    <message>
        <source>Run %1 stops after writing a checkpoint.</source>
        <translation>Lauf %1 stoppt, nachdem ein Checkpoint geschrieben wurde.</translation>
    </message>
    <message>
        <source>Run %1 is training: stop it before deleting it.</source>
        <translation>Lauf %1 trainiert gerade: Stoppen Sie ihn vor dem Löschen.</translation>
    </message>
    <message>
        <source>Delete runs</source>
        <translation>Läufe löschen</translation>
    </message>
    <message>
        <source>Remove the selected runs and their curves from the list? Their folders, checkpoints and adapters stay on disk.</source>
        <translation>Die ausgewählten Läufe und ihre Kurven aus der Liste entfernen? Ihre Ordner, Checkpoints und Adapter bleiben auf dem Datenträger.</translation>
    </message>
    <message>
        <source>Run %1: configuration</source>
        <translation>Lauf %1: Konfiguration</translation>
    </message>
    <message>
        <source>Export the adapter to</source>
        <translation>Adapter exportieren nach</translation>
    </message>
    <message>
        <source>Replace the adapter?</source>
        <translation>Adapter ersetzen?</translation>
    </message>
    <message>
        <source>%1 already holds an adapter. Replace its files with this run&apos;s adapter?</source>
        <translation>%1 enthält bereits einen Adapter. Seine Dateien durch den Adapter dieses Laufs ersetzen?</translation>
    </message>
    <message>
        <source>Adapter exported to %1</source>
        <translation>Adapter nach %1 exportiert</translation>
    </message>
    <message>
        <source>Save the merged model in</source>
        <translation>Zusammengeführtes Modell speichern in</translation>
    </message>
    <message>
        <source>Replace the model?</source>
        <translation>Modell ersetzen?</translation>
    </message>
    <message>
        <source>%1 already holds a model. Replace it with the merged model?</source>
        <translation>%1 enthält bereits ein Modell. Durch das zusammengeführte Modell ersetzen?</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Choose the data folder</source>
        <translation>Datenordner auswählen</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Design</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>CPU threads</source>
        <translation>CPU-Threads</translation>
    </message>
    <message>
        <source>Weights precision</source>
        <translation>Gewichtsgenauigkeit</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Gerät</translation>
    </message>
    <message>
        <source>Microphone</source>
        <translation>Mikrofon</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>Datenordner</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <source>All cores (%1)</source>
        <translation>Alle Kerne (%1)</translation>
    </message>
    <message>
        <source>How many CPU threads the model uses. More is faster up to the number of cores.</source>
        <translation>Wie viele CPU-Threads das Modell verwendet. Mehr ist schneller, bis zur Anzahl der Kerne.</translation>
    </message>
    <message>
        <source>Automatic (fastest this machine runs well)</source>
        <translation>Automatisch (das schnellste, das auf diesem Rechner gut läuft)</translation>
    </message>
    <message>
        <source>32-bit float (most accurate, twice the memory)</source>
        <translation>32-Bit-Float (am genauesten, doppelter Speicher)</translation>
    </message>
    <message>
        <source>bfloat16 (half the memory)</source>
        <translation>bfloat16 (halber Speicher)</translation>
    </message>
    <message>
        <source>float16 (half the memory)</source>
        <translation>float16 (halber Speicher)</translation>
    </message>
    <message>
        <source>Applies the next time a model is loaded.</source>
        <translation>Gilt ab dem nächsten Laden eines Modells.</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>CUDA GPU</source>
        <translation>CUDA-GPU</translation>
    </message>
    <message>
        <source>CUDA GPU (not available in this build)</source>
        <translation>CUDA-GPU (in diesem Build nicht verfügbar)</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>Systemstandard</translation>
    </message>
    <message>
        <source>The input the Record button uses. The list is refreshed each time this page opens.</source>
        <translation>Der Eingang, den die Aufnahmeschaltfläche verwendet. Die Liste wird bei jedem Öffnen dieser Seite aktualisiert.</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Set by --data-dir for this session.</source>
        <translation>Für diese Sitzung durch --data-dir festgelegt.</translation>
    </message>
    <message>
        <source>Conversations and the model library live here. A new folder takes effect at the next start.</source>
        <translation>Hier liegen die Unterhaltungen und die Modellbibliothek. Ein neuer Ordner wird beim nächsten Start wirksam.</translation>
    </message>
    <message>
        <source>%1 (default)</source>
        <translation>%1 (Standard)</translation>
    </message>
    <message>
        <source>%1 (not connected)</source>
        <translation>%1 (nicht verbunden)</translation>
    </message>
    <message>
        <source>System default (no microphone found)</source>
        <translation>Systemstandard (kein Mikrofon gefunden)</translation>
    </message>
    <message>
        <source>Apple GPU (Metal)</source>
        <translation>Apple-GPU (Metal)</translation>
    </message>
    <message>
        <source>Apple GPU (Metal; only on Apple Silicon Macs)</source>
        <translation>Apple-GPU (Metal; nur auf Macs mit Apple Silicon)</translation>
    </message>
</context>
<context>
    <name>TrainPage</name>
    <message>
        <source>Base model</source>
        <translation>Basismodell</translation>
    </message>
    <message>
        <source>The model the adapter is trained for (from the Models page)</source>
        <translation>Das Modell, für das der Adapter trainiert wird (von der Seite „Modelle“)</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>Datensatz</translation>
    </message>
    <message>
        <source>Alpaca, ShareGPT, OpenAI messages or LLaVA, as .json or .jsonl</source>
        <translation>Alpaca, ShareGPT, OpenAI-Nachrichten oder LLaVA, als .json oder .jsonl</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>Format</translation>
    </message>
    <message>
        <source>Detected from the file; choose one to override</source>
        <translation>Aus der Datei erkannt; zum Überschreiben eines auswählen</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Methode</translation>
    </message>
    <message>
        <source>LoRA: low-rank updates of the projections. LLaMA-Adapter: learned prompt tokens with a zero-initialised gate. V2 adds bias, scale and norms.</source>
        <translation>LoRA: Low-Rank-Updates der Projektionen. LLaMA-Adapter: gelernte Prompt-Tokens mit einem auf null initialisierten Gate. V2 ergänzt Bias, Skalierung und Normen.</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>Epochen</translation>
    </message>
    <message>
        <source>Passes over the training examples</source>
        <translation>Durchgänge über die Trainingsbeispiele</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>Lernrate</translation>
    </message>
    <message>
        <source>Peak learning rate, reached after the warmup, then decayed along a cosine</source>
        <translation>Maximale Lernrate, erreicht nach dem Warmup, danach entlang eines Kosinus abgesenkt</translation>
    </message>
    <message>
        <source>Warmup</source>
        <translation>Warmup</translation>
    </message>
    <message>
        <source>Share of the steps spent raising the learning rate from zero</source>
        <translation>Anteil der Schritte, in denen die Lernrate von null an steigt</translation>
    </message>
    <message>
        <source>Weight decay</source>
        <translation>Weight Decay</translation>
    </message>
    <message>
        <source>AdamW decay; never applied to gates, biases, scales and norms</source>
        <translation>AdamW-Decay; nie auf Gates, Biases, Skalierungen und Normen angewendet</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>Batchgröße</translation>
    </message>
    <message>
        <source>Examples per forward pass; more needs more memory</source>
        <translation>Beispiele pro Forward-Pass; mehr braucht mehr Speicher</translation>
    </message>
    <message>
        <source>Gradient accumulation</source>
        <translation>Gradientenakkumulation</translation>
    </message>
    <message>
        <source>Batches added up before each optimiser step: a larger effective batch at the same memory</source>
        <translation>Batches, die vor jedem Optimiererschritt aufsummiert werden: ein größerer effektiver Batch bei gleichem Speicher</translation>
    </message>
    <message>
        <source>Max length</source>
        <translation>Max. Länge</translation>
    </message>
    <message>
        <source>Tokens per example; longer ones are cut</source>
        <translation>Tokens pro Beispiel; längere werden gekürzt</translation>
    </message>
    <message>
        <source>Eval split</source>
        <translation>Eval-Anteil</translation>
    </message>
    <message>
        <source>Share of the examples held out to measure eval loss</source>
        <translation>Anteil der Beispiele, der zurückgehalten wird, um den Eval-Verlust zu messen</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Seed</translation>
    </message>
    <message>
        <source>The same seed and settings train the same adapter</source>
        <translation>Gleicher Seed und gleiche Einstellungen trainieren denselben Adapter</translation>
    </message>
    <message>
        <source>LoRA rank</source>
        <translation>LoRA-Rang</translation>
    </message>
    <message>
        <source>Rank r of the low-rank update: more capacity, more parameters</source>
        <translation>Rang r des Low-Rank-Updates: mehr Kapazität, mehr Parameter</translation>
    </message>
    <message>
        <source>LoRA alpha</source>
        <translation>LoRA-Alpha</translation>
    </message>
    <message>
        <source>The update is scaled by alpha / r</source>
        <translation>Das Update wird mit alpha / r skaliert</translation>
    </message>
    <message>
        <source>LoRA dropout</source>
        <translation>LoRA-Dropout</translation>
    </message>
    <message>
        <source>Dropout on the LoRA branch&apos;s input while training</source>
        <translation>Dropout auf die Eingabe des LoRA-Zweigs während des Trainings</translation>
    </message>
    <message>
        <source>LoRA targets</source>
        <translation>LoRA-Ziele</translation>
    </message>
    <message>
        <source>Projections that get a LoRA branch, comma-separated: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj</source>
        <translation>Projektionen, die einen LoRA-Zweig erhalten, kommagetrennt: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj</translation>
    </message>
    <message>
        <source>Prompt tokens</source>
        <translation>Prompt-Tokens</translation>
    </message>
    <message>
        <source>LLaMA-Adapter: learned tokens per adapted layer</source>
        <translation>LLaMA-Adapter: gelernte Tokens pro angepasster Schicht</translation>
    </message>
    <message>
        <source>Adapted layers</source>
        <translation>Angepasste Schichten</translation>
    </message>
    <message>
        <source>LLaMA-Adapter: how many of the top layers get prompt tokens</source>
        <translation>LLaMA-Adapter: wie viele der obersten Schichten Prompt-Tokens erhalten</translation>
    </message>
    <message>
        <source>Gradient checkpointing</source>
        <translation>Gradient Checkpointing</translation>
    </message>
    <message>
        <source>Recompute each layer during the backward pass: less memory, about a third more time</source>
        <translation>Jede Schicht im Backward-Pass neu berechnen: weniger Speicher, etwa ein Drittel mehr Zeit</translation>
    </message>
    <message>
        <source>Packing</source>
        <translation>Packing</translation>
    </message>
    <message>
        <source>Join short examples into full-length sequences: less padding</source>
        <translation>Kurze Beispiele zu Sequenzen voller Länge zusammenfügen: weniger Padding</translation>
    </message>
    <message>
        <source>Choose a dataset</source>
        <translation>Datensatz auswählen</translation>
    </message>
    <message>
        <source>Datasets (*.json *.jsonl);;All files (*)</source>
        <translation>Datensätze (*.json *.jsonl);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Chat with run %1</source>
        <translation>Chat mit Lauf %1</translation>
    </message>
    <message>
        <source>Train an adapter</source>
        <translation>Adapter trainieren</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>A dataset file</source>
        <translation>Eine Datensatzdatei</translation>
    </message>
    <message>
        <source>Detect</source>
        <translation>Automatisch</translation>
    </message>
    <message>
        <source>OpenAI messages</source>
        <translation>OpenAI-Nachrichten</translation>
    </message>
    <message>
        <source>Start training</source>
        <translation>Training starten</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stopp</translation>
    </message>
    <message>
        <source>Stop at the end of the current step, after writing a checkpoint</source>
        <translation>Am Ende des aktuellen Schritts stoppen, nachdem ein Checkpoint geschrieben wurde</translation>
    </message>
    <message>
        <source>Chat with the result</source>
        <translation>Mit dem Ergebnis chatten</translation>
    </message>
    <message>
        <source>Choose a model and a dataset to see the trainable parameters and an estimate of memory and time.</source>
        <translation>Wählen Sie ein Modell und einen Datensatz, um die trainierbaren Parameter und eine Schätzung von Speicherbedarf und Dauer zu sehen.</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation>%1 h</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1 trainable parameters&lt;/b&gt; (%2% of the model) · about %3 of memory · about %4 on this CPU</source>
        <translation>&lt;b&gt;%1 trainierbare Parameter&lt;/b&gt; (%2 % des Modells) · etwa %3 Speicher · etwa %4 auf dieser CPU</translation>
    </message>
    <message>
        <source>Projectors and encoders come on top: the run counts them when it starts.</source>
        <translation>Projektoren und Encoder kommen hinzu: Der Lauf berücksichtigt sie beim Start.</translation>
    </message>
    <message>
        <source>Reading %1…</source>
        <translation>%1 wird gelesen…</translation>
    </message>
    <message>
        <source>The dataset cannot be used.</source>
        <translation>Der Datensatz kann nicht verwendet werden.</translation>
    </message>
    <message>
        <source>%1 format · %2 examples · %3 bad rows skipped · %4–%5 tokens (median %6), %7 cut at the max length</source>
        <translation>Format %1 · %2 Beispiele · %3 fehlerhafte Zeilen übersprungen · %4–%5 Tokens (Median %6), %7 auf die max. Länge gekürzt</translation>
    </message>
    <message>
        <source>line %1: %2</source>
        <translation>Zeile %1: %2</translation>
    </message>
    <message>
        <source>No bad rows.</source>
        <translation>Keine fehlerhaften Zeilen.</translation>
    </message>
    <message>
        <source>Examples</source>
        <translation>Beispiele</translation>
    </message>
    <message>
        <source>Examples by length (tokens, up to)</source>
        <translation>Beispiele nach Länge (Tokens, bis zu)</translation>
    </message>
    <message>
        <source>Run %1 started.</source>
        <translation>Lauf %1 gestartet.</translation>
    </message>
    <message>
        <source>Training cannot start.</source>
        <translation>Das Training kann nicht starten.</translation>
    </message>
    <message>
        <source>No run yet.</source>
        <translation>Noch kein Lauf.</translation>
    </message>
    <message>
        <source>Run %1 · stopping after the current step…</source>
        <translation>Lauf %1 · stoppt nach dem aktuellen Schritt…</translation>
    </message>
    <message>
        <source>Run %1 · %2 · step %3 of %4</source>
        <translation>Lauf %1 · %2 · Schritt %3 von %4</translation>
    </message>
    <message>
        <source>Run %1 · %2 · step %3 of %4 · about %5 left</source>
        <translation>Lauf %1 · %2 · Schritt %3 von %4 · noch etwa %5</translation>
    </message>
    <message>
        <source>Run %1 failed.</source>
        <translation>Lauf %1 fehlgeschlagen.</translation>
    </message>
    <message>
        <source>Run %1 finished: chat with its adapter.</source>
        <translation>Lauf %1 abgeschlossen: Chatten Sie mit seinem Adapter.</translation>
    </message>
    <message>
        <source>Run %1 ended: %2.</source>
        <translation>Lauf %1 beendet: %2.</translation>
    </message>
    <message>
        <source>Processes</source>
        <translation>Prozesse</translation>
    </message>
    <message>
        <source>Training processes sharing each batch and this computer&apos;s cores; the loss curve is the same as with one. Several computers: see the README</source>
        <translation>Trainingsprozesse, die sich jeden Batch und die Kerne dieses Computers teilen; die Verlustkurve ist dieselbe wie mit einem. Mehrere Computer: siehe README</translation>
    </message>
</context>
<context>
    <name>Trainer</name>
    <message>
        <source>Cannot start the trainer %1.</source>
        <translation>Der Trainer %1 kann nicht gestartet werden.</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>It was written by a newer version of Atelier. Update Atelier, or start with another data folder (--data-dir); the file was left untouched.</source>
        <translation>Sie wurde von einer neueren Version von Atelier geschrieben. Aktualisieren Sie Atelier oder starten Sie mit einem anderen Datenordner (--data-dir); die Datei wurde nicht verändert.</translation>
    </message>
    <message>
        <source>Atelier cannot start</source>
        <translation>Atelier kann nicht starten</translation>
    </message>
    <message>
        <source>The database %1 cannot be opened.</source>
        <translation>Die Datenbank %1 kann nicht geöffnet werden.</translation>
    </message>
</context>
</TS>
