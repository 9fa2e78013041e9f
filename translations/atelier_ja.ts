<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>AttachmentChip</name>
    <message>
        <source>Cannot play: %1</source>
        <translation>再生できません：%1</translation>
    </message>
    <message>
        <source>Frame the model sees at %1</source>
        <translation>%1 の時点でモデルが見るフレーム</translation>
    </message>
    <message>
        <source>Cannot be read: %1</source>
        <translation>読み取れません：%1</translation>
    </message>
    <message numerus="yes">
        <source>%n frame(s)</source>
        <translation>
            <numerusform>%n フレーム</numerusform>
        </translation>
    </message>
    <message>
        <source>with sound</source>
        <translation>音声あり</translation>
    </message>
    <message>
        <source>no sound</source>
        <translation>音声なし</translation>
    </message>
    <message>
        <source>Stop encoding (the file stays attached)</source>
        <translation>エンコードを停止（ファイルは添付されたままです）</translation>
    </message>
    <message>
        <source>encoding…</source>
        <translation>エンコード中…</translation>
    </message>
    <message>
        <source>Not sent: the model reads media only</source>
        <translation>送信されません：このモデルはメディアしか読み取れません</translation>
    </message>
    <message>
        <source>Not sent: this model cannot see images</source>
        <translation>送信されません：このモデルは画像を認識できません</translation>
    </message>
    <message>
        <source>Not sent: this model cannot hear audio</source>
        <translation>送信されません：このモデルは音声を認識できません</translation>
    </message>
    <message>
        <source>Not sent: this model cannot watch video</source>
        <translation>送信されません：このモデルは動画を認識できません</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n トークン</numerusform>
        </translation>
    </message>
    <message>
        <source>Choose a model that reads this kind of media (a LLaVA folder or an Atelier bundle) to send it.</source>
        <translation>送信するには、この種類のメディアを読み取れるモデル（LLaVA フォルダーまたは Atelier バンドル）を選択してください。</translation>
    </message>
    <message>
        <source>Remove attachment</source>
        <translation>添付を削除</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>再生</translation>
    </message>
</context>
<context>
    <name>ChatController</name>
    <message>
        <source>Your conversations could not be saved.</source>
        <translation>会話を保存できませんでした。</translation>
    </message>
    <message>
        <source>Model loading cancelled.</source>
        <translation>モデルの読み込みをキャンセルしました。</translation>
    </message>
    <message>
        <source>Cannot load the model %1.</source>
        <translation>モデル %1 を読み込めません。</translation>
    </message>
    <message>
        <source>Add a model on the Models page first.</source>
        <translation>先に「モデル」ページでモデルを追加してください。</translation>
    </message>
    <message>
        <source>Attachments</source>
        <translation>添付ファイル</translation>
    </message>
    <message numerus="yes">
        <source>%n attachment(s) not sent: this model cannot read them.</source>
        <translation>
            <numerusform>添付ファイル %n 件は送信されませんでした：このモデルでは読み取れません。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The conversation is longer than the model&apos;s context: the oldest %n message(s) were left out.</source>
        <translation>
            <numerusform>会話がモデルのコンテキストを超えたため、古いメッセージ %n 件を除外しました。</numerusform>
        </translation>
    </message>
    <message>
        <source>The model could not answer.</source>
        <translation>モデルが応答できませんでした。</translation>
    </message>
</context>
<context>
    <name>ChatPage</name>
    <message>
        <source>Rename…</source>
        <translation>名前を変更…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>削除</translation>
    </message>
    <message>
        <source>Cannot attach %1: the file cannot be read.</source>
        <translation>%1 を添付できません：ファイルを読み取れません。</translation>
    </message>
    <message>
        <source>The pasted image could not be saved to the data folder.</source>
        <translation>貼り付けた画像をデータフォルダーに保存できませんでした。</translation>
    </message>
    <message>
        <source>Recording failed.</source>
        <translation>録音に失敗しました。</translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>クリップボードにコピーしました。</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>%1 を読み込み中…</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>新しいチャット</translation>
    </message>
    <message>
        <source>Start a new conversation (%1)</source>
        <translation>新しい会話を開始（%1）</translation>
    </message>
    <message>
        <source>Search conversations (%1)</source>
        <translation>会話を検索（%1）</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>エクスポート</translation>
    </message>
    <message>
        <source>Export as Markdown…</source>
        <translation>Markdown としてエクスポート…</translation>
    </message>
    <message>
        <source>Export as JSON…</source>
        <translation>JSON としてエクスポート…</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <source>Show or hide this conversation&apos;s settings</source>
        <translation>この会話の設定を表示／非表示</translation>
    </message>
    <message>
        <source>The model that answers in this conversation</source>
        <translation>この会話で応答するモデル</translation>
    </message>
    <message>
        <source>Chat with the base model, without the adapter</source>
        <translation>アダプターを外してベースモデルとチャット</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>Add a model…</source>
        <translation>モデルを追加…</translation>
    </message>
    <message>
        <source>Cancel editing</source>
        <translation>編集をキャンセル</translation>
    </message>
    <message>
        <source>Editing a message: sending replaces it and every message after it.</source>
        <translation>メッセージを編集中：送信すると、このメッセージとそれ以降のすべてのメッセージが置き換えられます。</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>送信</translation>
    </message>
    <message>
        <source>Send (Enter)</source>
        <translation>送信 (Enter)</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop the reply (Esc)</source>
        <translation>応答を停止 (Esc)</translation>
    </message>
    <message>
        <source>No model yet.
Add a model folder (Hugging Face, Meta or llama2.c) on the Models page to start chatting.</source>
        <translation>モデルがまだありません。
「モデル」ページでモデルフォルダー（Hugging Face、Meta、llama2.c）を追加すると、チャットを始められます。</translation>
    </message>
    <message>
        <source>Ask anything.
Drop images, audio or video on the window to attach them.</source>
        <translation>何でも聞いてください。
画像、音声、動画をウィンドウにドロップすると添付できます。</translation>
    </message>
    <message>
        <source>image</source>
        <translation>画像</translation>
    </message>
    <message>
        <source>audio</source>
        <translation>音声</translation>
    </message>
    <message>
        <source>video</source>
        <translation>動画</translation>
    </message>
    <message>
        <source>file</source>
        <translation>ファイル</translation>
    </message>
    <message>
        <source>Attach images, audio or video</source>
        <translation>画像、音声、動画を添付</translation>
    </message>
    <message>
        <source>Record a voice message (or hold %1 while typing)</source>
        <translation>音声メッセージを録音（入力中に %1 を長押ししても録音できます）</translation>
    </message>
    <message>
        <source>%1 reads text only: attachments are kept with the message but not sent to it.</source>
        <translation>%1 はテキストしか読み取れません。添付ファイルはメッセージと一緒に保存されますが、モデルには送信されません。</translation>
    </message>
    <message>
        <source>%1 reads: %2.</source>
        <translation>%1 が読み取れるもの：%2。</translation>
    </message>
    <message>
        <source>%1 cannot hear: a recording is kept with the message but not sent to it.</source>
        <translation>%1 は音声を認識できません。録音はメッセージと一緒に保存されますが、モデルには送信されません。</translation>
    </message>
    <message>
        <source>%1 / %2 tokens</source>
        <translation>%1 / %2 トークン</translation>
    </message>
    <message>
        <source>The conversation and your draft take %1 of the model&apos;s %2 context positions.</source>
        <translation>会話と下書きで、モデルのコンテキスト %2 位置のうち %1 を使用しています。</translation>
    </message>
    <message numerus="yes">
        <source>The oldest %n message(s) will be left out to fit.</source>
        <translation>
            <numerusform>収めるために、古いメッセージ %n 件が除外されます。</numerusform>
        </translation>
    </message>
    <message>
        <source>Adapter: %1</source>
        <translation>アダプター：%1</translation>
    </message>
    <message>
        <source>Delete conversation</source>
        <translation>会話を削除</translation>
    </message>
    <message>
        <source>Delete &quot;%1&quot; and all its messages? This cannot be undone.</source>
        <translation>「%1」とそのすべてのメッセージを削除しますか？この操作は元に戻せません。</translation>
    </message>
    <message>
        <source>Send without the attachments?</source>
        <translation>添付ファイルなしで送信しますか？</translation>
    </message>
    <message>
        <source>%1 cannot read:
%2

They stay with your message, but the model will not see them. Send the text alone?</source>
        <translation>%1 は次のファイルを読み取れません：
%2

ファイルはメッセージに残りますが、モデルには渡されません。テキストだけを送信しますか？</translation>
    </message>
    <message>
        <source>Send the text alone</source>
        <translation>テキストだけを送信</translation>
    </message>
    <message>
        <source>Attach files</source>
        <translation>ファイルを添付</translation>
    </message>
    <message>
        <source>Media (*.png *.jpg *.jpeg *.webp *.bmp *.gif *.wav *.mp3 *.flac *.ogg *.m4a *.mp4 *.mkv *.webm *.mov *.avi);;All files (*)</source>
        <translation>メディア (*.png *.jpg *.jpeg *.webp *.bmp *.gif *.wav *.mp3 *.flac *.ogg *.m4a *.mp4 *.mkv *.webm *.mov *.avi);;すべてのファイル (*)</translation>
    </message>
    <message>
        <source>There is nothing to export yet.</source>
        <translation>エクスポートする内容がまだありません。</translation>
    </message>
    <message>
        <source>Export conversation</source>
        <translation>会話をエクスポート</translation>
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
        <translation>%1 に書き込めません：%2</translation>
    </message>
    <message>
        <source>Exported to %1</source>
        <translation>%1 にエクスポートしました</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>%1 · %2 left</source>
        <translation>%1 · 残り %2</translation>
    </message>
    <message>
        <source>Message (Enter to send, Shift+Enter for a new line, hold Ctrl+Space to talk)</source>
        <translation>メッセージ（Enter で送信、Shift+Enter で改行、Ctrl+Space 長押しで音声入力）</translation>
    </message>
    <message>
        <source>This model reads text only: attachments are kept with the message, but the model does not see them.</source>
        <translation>このモデルはテキストしか読み取れません。添付ファイルはメッセージと一緒に保存されますが、モデルには渡されません。</translation>
    </message>
    <message>
        <source>Recording</source>
        <translation>録音中</translation>
    </message>
    <message>
        <source>Attach</source>
        <translation>添付</translation>
    </message>
    <message>
        <source>Stop recording and attach it</source>
        <translation>録音を停止して添付</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
    <message>
        <source>Stop recording and throw it away</source>
        <translation>録音を停止して破棄</translation>
    </message>
    <message>
        <source>Input level</source>
        <translation>入力レベル</translation>
    </message>
</context>
<context>
    <name>ConversationListModel</name>
    <message>
        <source>%1
Last active %2</source>
        <translation>%1
最終利用：%2</translation>
    </message>
</context>
<context>
    <name>ConversationSettingsPanel</name>
    <message>
        <source>Conversation settings</source>
        <translation>会話の設定</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>システムプロンプト</translation>
    </message>
    <message>
        <source>Optional instructions for the model, e.g. &quot;Answer briefly.&quot;</source>
        <translation>モデルへの指示（任意）。例：「簡潔に答えてください。」</translation>
    </message>
    <message>
        <source>Model default</source>
        <translation>モデルの既定</translation>
    </message>
    <message>
        <source>None: continue the text</source>
        <translation>なし：テキストの続きを生成</translation>
    </message>
    <message>
        <source>Random</source>
        <translation>ランダム</translation>
    </message>
    <message>
        <source>Chat template</source>
        <translation>チャットテンプレート</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
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
        <translation>最大トークン数</translation>
    </message>
    <message>
        <source>Repetition penalty</source>
        <translation>繰り返しペナルティ</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>シード</translation>
    </message>
    <message>
        <source>How the conversation is laid out for the model. &quot;None&quot; continues your text as written.</source>
        <translation>会話をモデルに渡すときの形式です。「なし」では、入力したテキストの続きをそのまま生成します。</translation>
    </message>
    <message>
        <source>Randomness: 0 always picks the most likely token; higher values are more varied.</source>
        <translation>ランダム性：0 では常に最も確率の高いトークンを選びます。値が大きいほど多様な応答になります。</translation>
    </message>
    <message>
        <source>Sample only from the most likely tokens whose probabilities add up to this.</source>
        <translation>確率の高い順に、確率の合計がこの値に達するまでのトークンからのみサンプリングします。</translation>
    </message>
    <message>
        <source>Sample only from this many most likely tokens (0 = no limit).</source>
        <translation>確率の高い上位この数のトークンからのみサンプリングします（0 = 無制限）。</translation>
    </message>
    <message>
        <source>Drop tokens less likely than this fraction of the most likely one (0 = off).</source>
        <translation>確率が最も高いトークンのこの割合に満たないトークンを除外します（0 = オフ）。</translation>
    </message>
    <message>
        <source>The longest reply, in tokens.</source>
        <translation>応答の最大長（トークン数）。</translation>
    </message>
    <message>
        <source>Makes repeating recent tokens less likely (1 = off).</source>
        <translation>直近のトークンを繰り返しにくくします（1 = オフ）。</translation>
    </message>
    <message>
        <source>The same seed and settings give the same reply; Random picks a new one each time.</source>
        <translation>同じシードと設定では同じ応答になります。「ランダム」では毎回新しいシードを選びます。</translation>
    </message>
</context>
<context>
    <name>DatasetPreviewText</name>
    <message>
        <source>Image</source>
        <translation>画像</translation>
    </message>
    <message>
        <source>Audio</source>
        <translation>音声</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>動画</translation>
    </message>
    <message>
        <source>%1 %2 cannot be read: %3</source>
        <translation>%1 %2 を読み取れません：%3</translation>
    </message>
    <message>
        <source>%1 %2: %3×%4 pixels</source>
        <translation>%1 %2：%3×%4 ピクセル</translation>
    </message>
    <message>
        <source>%1 %2: %3 s, %4×%5, %6 frames sampled</source>
        <translation>%1 %2：%3 秒、%4×%5、%6 フレームをサンプリング</translation>
    </message>
    <message>
        <source>%1 %2: %3 s</source>
        <translation>%1 %2：%3 秒</translation>
    </message>
</context>
<context>
    <name>EngineError</name>
    <message>
        <source>The file could not be read or written.</source>
        <translation>ファイルを読み書きできませんでした。</translation>
    </message>
    <message>
        <source>A file the model needs was not found.</source>
        <translation>モデルに必要なファイルが見つかりません。</translation>
    </message>
    <message>
        <source>The file is shorter than its header says: it may be incomplete.</source>
        <translation>ファイルがヘッダーの記載より短いため、不完全な可能性があります。</translation>
    </message>
    <message>
        <source>The file&apos;s header is invalid.</source>
        <translation>ファイルのヘッダーが無効です。</translation>
    </message>
    <message>
        <source>A JSON file is malformed.</source>
        <translation>JSON ファイルの形式が正しくありません。</translation>
    </message>
    <message>
        <source>The weights use a number format Atelier does not read.</source>
        <translation>重みが Atelier で読み取れない数値形式になっています。</translation>
    </message>
    <message>
        <source>The weights file is corrupt: a tensor lies outside the file.</source>
        <translation>重みファイルが破損しています：テンソルがファイルの範囲外にあります。</translation>
    </message>
    <message>
        <source>The weights file is corrupt: two tensors overlap.</source>
        <translation>重みファイルが破損しています：2 つのテンソルが重なっています。</translation>
    </message>
    <message>
        <source>A tensor has the wrong size for this model.</source>
        <translation>テンソルのサイズがこのモデルと合いません。</translation>
    </message>
    <message>
        <source>The weights are incomplete: a tensor is missing.</source>
        <translation>重みが不完全です：テンソルが欠けています。</translation>
    </message>
    <message>
        <source>This is not a model folder Atelier can read.</source>
        <translation>Atelier で読み取れるモデルフォルダーではありません。</translation>
    </message>
    <message>
        <source>This model architecture is not supported.</source>
        <translation>このモデルアーキテクチャには対応していません。</translation>
    </message>
    <message>
        <source>The model&apos;s configuration is invalid.</source>
        <translation>モデルの構成が無効です。</translation>
    </message>
    <message>
        <source>The tokenizer could not be loaded.</source>
        <translation>トークナイザーを読み込めませんでした。</translation>
    </message>
    <message>
        <source>Unknown chat template.</source>
        <translation>不明なチャットテンプレートです。</translation>
    </message>
    <message>
        <source>The request is invalid.</source>
        <translation>リクエストが無効です。</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>キャンセルしました。</translation>
    </message>
    <message>
        <source>This is not an image, audio or video file Atelier can read, or it is damaged.</source>
        <translation>Atelier で読み取れる画像・音声・動画ファイルではないか、ファイルが破損しています。</translation>
    </message>
    <message>
        <source>The media file has no picture or sound of the kind needed.</source>
        <translation>メディアファイルに必要な映像または音声が含まれていません。</translation>
    </message>
    <message>
        <source>The media file uses a format this installation cannot decode.</source>
        <translation>このメディアファイルの形式は、この環境ではデコードできません。</translation>
    </message>
    <message>
        <source>The media file is too large or too long.</source>
        <translation>メディアファイルが大きすぎるか、長すぎます。</translation>
    </message>
    <message>
        <source>This model cannot read this kind of media.</source>
        <translation>このモデルはこの種類のメディアを読み取れません。</translation>
    </message>
    <message>
        <source>No microphone was found. Connect one, or choose another input in Settings.</source>
        <translation>マイクが見つかりません。マイクを接続するか、「設定」で別の入力を選択してください。</translation>
    </message>
    <message>
        <source>The microphone cannot be opened: another program may be using it, or it was unplugged.</source>
        <translation>マイクを開けません：他のプログラムが使用中か、接続が外れた可能性があります。</translation>
    </message>
    <message>
        <source>The microphone stopped during the recording. What was recorded until then is kept.</source>
        <translation>録音中にマイクが停止しました。それまでに録音した内容は保持されます。</translation>
    </message>
    <message>
        <source>Unexpected error.</source>
        <translation>予期しないエラーが発生しました。</translation>
    </message>
    <message>
        <source>One of the run&apos;s training processes stopped or stopped answering, so the run ended. Its last checkpoint is kept: continue the run to resume from it.</source>
        <translation>実行のトレーニングプロセスの一つが停止したか応答しなくなったため、実行を終了しました。最後のチェックポイントは残っています。実行を続けるとそこから再開します。</translation>
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
        <translation>実行 %1 が完了しました。</translation>
    </message>
    <message>
        <source>Run %1 failed.</source>
        <translation>実行 %1 が失敗しました。</translation>
    </message>
    <message>
        <source>Run %1 ended.</source>
        <translation>実行 %1 が終了しました。</translation>
    </message>
    <message>
        <source>Longest GUI stall: %1 ms</source>
        <translation>GUI の最長停止時間：%1 ms</translation>
    </message>
    <message>
        <source>About Atelier</source>
        <translation>Atelier について</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Atelier %1&lt;/h3&gt;&lt;p&gt;Chat with LLaMA-family models and fine-tune your own adapters, natively: C++, Qt and LibTorch, no Python.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Atelier %1&lt;/h3&gt;&lt;p&gt;LLaMA 系のモデルとチャットし、独自のアダプターをファインチューニングできます。C++、Qt、LibTorch によるネイティブ実装で、Python は不要です。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>チャット</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>モデル</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>学習</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>実行履歴</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>The run store cannot be opened:
%1</source>
        <translation>実行履歴のデータベースを開けません：
%1</translation>
    </message>
    <message>
        <source>%1 · %2 · %3 · context %4</source>
        <translation>%1 · %2 · %3 · コンテキスト %4</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>ファイル(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;New chat</source>
        <translation>新しいチャット(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Add model folder…</source>
        <translation>モデルフォルダーを追加(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Export conversation…</source>
        <translation>会話をエクスポート(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>終了(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>表示(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Search conversations</source>
        <translation>会話を検索(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Performance overlay</source>
        <translation>パフォーマンスオーバーレイ(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>ヘルプ(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About Atelier</source>
        <translation>Atelier について(&amp;A)</translation>
    </message>
</context>
<context>
    <name>MediaViewer</name>
    <message>
        <source>The file is no longer there: %1</source>
        <translation>ファイルが見つかりません：%1</translation>
    </message>
    <message>
        <source>This image cannot be shown here.</source>
        <translation>この画像はここでは表示できません。</translation>
    </message>
    <message>
        <source>Cannot play here: %1</source>
        <translation>ここでは再生できません：%1</translation>
    </message>
    <message>
        <source>Open in another application</source>
        <translation>別のアプリケーションで開く</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>閉じる</translation>
    </message>
</context>
<context>
    <name>MessageDelegate</name>
    <message>
        <source>You</source>
        <translation>あなた</translation>
    </message>
    <message>
        <source>System</source>
        <translation>システム</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>アシスタント</translation>
    </message>
    <message>
        <source>Generating…</source>
        <translation>生成中…</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>停止しました</translation>
    </message>
    <message>
        <source>Interrupted: the app closed before this reply finished</source>
        <translation>中断：応答が完了する前にアプリが終了しました</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失敗しました</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>コピー</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>編集</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>再生成</translation>
    </message>
    <message>
        <source>Copy code</source>
        <translation>コードをコピー</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n トークン</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 tokens/s</source>
        <translation>%1 トークン/秒</translation>
    </message>
</context>
<context>
    <name>MetricChart</name>
    <message>
        <source>Export chart</source>
        <translation>グラフをエクスポート</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>PNG 画像 (*.png)</translation>
    </message>
    <message>
        <source>Export points</source>
        <translation>データ点をエクスポート</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>Training loss</source>
        <translation>学習損失</translation>
    </message>
    <message>
        <source>Eval loss</source>
        <translation>評価損失</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学習率</translation>
    </message>
    <message>
        <source>Gradient norm</source>
        <translation>勾配ノルム</translation>
    </message>
    <message>
        <source>Tokens per second</source>
        <translation>毎秒トークン数</translation>
    </message>
    <message>
        <source>Smoothing</source>
        <translation>平滑化</translation>
    </message>
    <message>
        <source>Exponential moving average of the loss; the raw points stay visible, lighter</source>
        <translation>損失の指数移動平均。元のデータ点も薄く表示されます</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>対数目盛</translation>
    </message>
    <message>
        <source>Reset zoom</source>
        <translation>ズームをリセット</translation>
    </message>
    <message>
        <source>Drag a rectangle to zoom in, scroll to pan along the steps, Ctrl+scroll to zoom</source>
        <translation>範囲をドラッグして拡大、スクロールでステップ方向に移動、Ctrl+スクロールでズーム</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>エクスポート</translation>
    </message>
    <message>
        <source>Export as PNG…</source>
        <translation>PNG としてエクスポート…</translation>
    </message>
    <message>
        <source>Export points as CSV…</source>
        <translation>データ点を CSV としてエクスポート…</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>ステップ</translation>
    </message>
    <message>
        <source>Run %1</source>
        <translation>実行 %1</translation>
    </message>
    <message>
        <source>run %1 · step %2 · %3</source>
        <translation>実行 %1 · ステップ %2 · %3</translation>
    </message>
    <message>
        <source>Run %1 (raw)</source>
        <translation>実行 %1（生データ）</translation>
    </message>
    <message>
        <source>Raw</source>
        <translation>生データ</translation>
    </message>
    <message>
        <source>Run %1 (smoothed)</source>
        <translation>実行 %1（平滑化）</translation>
    </message>
    <message>
        <source>Smoothed</source>
        <translation>平滑化</translation>
    </message>
</context>
<context>
    <name>ModelsPage</name>
    <message>
        <source>Sees images</source>
        <translation>画像対応</translation>
    </message>
    <message>
        <source>Hears audio</source>
        <translation>音声対応</translation>
    </message>
    <message>
        <source>Watches video</source>
        <translation>動画対応</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s) per image</source>
        <translation>
            <numerusform>画像 1 枚あたり %n トークン</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n token(s) per video (%1 frames)</source>
        <translation>
            <numerusform>動画 1 本あたり %n トークン（%1 フレーム）</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 tokens per second</source>
        <translation>毎秒 %1 トークン</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>既定</translation>
    </message>
    <message>
        <source>%1 · %2 parameters · %3 · context %4 · template %5</source>
        <translation>%1 · パラメーター %2 · %3 · コンテキスト %4 · テンプレート %5</translation>
    </message>
    <message>
        <source>%1 on disk · %2 format · %3</source>
        <translation>ディスク上 %1 · %2 形式 · %3</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>モデル</translation>
    </message>
    <message>
        <source>Add a Hugging Face folder (config.json + safetensors), a Meta folder (params.json + consolidated.00.pth), a llama2.c .bin file, a LLaVA-1.5 folder or an Atelier multimodal bundle (it sees, hears or watches what its badges say). You can also drop folders here. Removing a model only takes it off this list; its files stay.</source>
        <translation>Hugging Face フォルダー（config.json + safetensors）、Meta フォルダー（params.json + consolidated.00.pth）、llama2.c の .bin ファイル、LLaVA-1.5 フォルダー、または Atelier マルチモーダルバンドル（扱える画像・音声・動画はバッジに表示されます）を追加します。フォルダーをここにドロップすることもできます。モデルを削除しても一覧から外れるだけで、ファイルは残ります。</translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation>フォルダーを追加…</translation>
    </message>
    <message>
        <source>Add file…</source>
        <translation>ファイルを追加…</translation>
    </message>
    <message>
        <source>Set as default</source>
        <translation>既定に設定</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>削除</translation>
    </message>
    <message>
        <source>Remove from the library (the files stay on disk)</source>
        <translation>ライブラリから削除（ファイルはディスクに残ります）</translation>
    </message>
    <message>
        <source>Checking %1…</source>
        <translation>%1 を確認中…</translation>
    </message>
    <message>
        <source>Choose a model folder</source>
        <translation>モデルフォルダーを選択</translation>
    </message>
    <message>
        <source>Choose a model file</source>
        <translation>モデルファイルを選択</translation>
    </message>
    <message>
        <source>Model files (*.bin *.safetensors);;All files (*)</source>
        <translation>モデルファイル (*.bin *.safetensors);;すべてのファイル (*)</translation>
    </message>
    <message>
        <source>%1 was not added.</source>
        <translation>%1 は追加されませんでした。</translation>
    </message>
</context>
<context>
    <name>MultimodalOptions</name>
    <message>
        <source>Stage</source>
        <translation>ステージ</translation>
    </message>
    <message>
        <source>Text only: the adapter learns from the text, as before. Stage 1 trains projectors that turn the encoders&apos; features into tokens of the frozen model (LLaVA, AnyMAL); stage 2 trains the projectors and the adapter above; the bind network (ImageBind-LLM) adds the media to every layer through gates that start at zero.</source>
        <translation>テキストのみ：これまでどおり、アダプターはテキストから学習します。ステージ 1 では、エンコーダーの特徴量を凍結したモデルのトークンに変換するプロジェクターを学習します（LLaVA、AnyMAL）。ステージ 2 では、プロジェクターと上記のアダプターを学習します。バインドネットワーク（ImageBind-LLM）は、ゼロから始まるゲートを通じてメディアをすべてのレイヤーに加えます。</translation>
    </message>
    <message>
        <source>Image encoder</source>
        <translation>画像エンコーダー</translation>
    </message>
    <message>
        <source>Folder of a CLIP-style vision encoder; a multimodal bundle brings its own</source>
        <translation>CLIP 形式の画像エンコーダーのフォルダー。マルチモーダルバンドルには専用のエンコーダーが含まれています</translation>
    </message>
    <message>
        <source>Audio encoder</source>
        <translation>音声エンコーダー</translation>
    </message>
    <message>
        <source>Folder of a Whisper-style audio encoder; a multimodal bundle brings its own</source>
        <translation>Whisper 形式の音声エンコーダーのフォルダー。マルチモーダルバンドルには専用のエンコーダーが含まれています</translation>
    </message>
    <message>
        <source>Encoders</source>
        <translation>エンコーダー</translation>
    </message>
    <message>
        <source>Unfreeze the encoders (for small encoders trained from scratch). Frozen encoders are run once per file and their features cached.</source>
        <translation>エンコーダーの凍結を解除します（ゼロから学習する小さなエンコーダー向け）。凍結したエンコーダーはファイルごとに 1 回だけ実行され、特徴量はキャッシュされます。</translation>
    </message>
    <message>
        <source>Video temporal module</source>
        <translation>動画の時間モジュール</translation>
    </message>
    <message>
        <source>How a video&apos;s sampled frames become tokens: a Q-Former (Video-LLaMA), a space-time DCT (each frame pooled to a small grid, then the mean frame and how each cell changes over time; learns motion fast) or a Perceiver over all frames; None passes every frame on as image tokens. The bind network has none.</source>
        <translation>動画からサンプリングしたフレームをトークンに変換する方法です：Q-Former（Video-LLaMA）、時空間 DCT（各フレームを小さなグリッドにプーリングし、平均フレームと各セルの時間変化を使います。動きを素早く学習します）、または全フレームに対する Perceiver。「なし」では各フレームをそのまま画像トークンとして渡します。バインドネットワークでは使用しません。</translation>
    </message>
    <message>
        <source>Frames per video</source>
        <translation>動画あたりのフレーム数</translation>
    </message>
    <message>
        <source>Frames sampled evenly through each video</source>
        <translation>各動画から均等にサンプリングするフレーム数</translation>
    </message>
    <message>
        <source>Projector learning rate</source>
        <translation>プロジェクターの学習率</translation>
    </message>
    <message>
        <source>Peak learning rate of the projectors; 0 uses the learning rate above</source>
        <translation>プロジェクターの最大学習率。0 の場合は上記の学習率を使います</translation>
    </message>
    <message>
        <source>Choose the image encoder folder</source>
        <translation>画像エンコーダーのフォルダーを選択</translation>
    </message>
    <message>
        <source>Choose the audio encoder folder</source>
        <translation>音声エンコーダーのフォルダーを選択</translation>
    </message>
    <message>
        <source>Multimodal training</source>
        <translation>マルチモーダル学習</translation>
    </message>
    <message>
        <source>Text only</source>
        <translation>テキストのみ</translation>
    </message>
    <message>
        <source>Projectors (stage 1)</source>
        <translation>プロジェクター（ステージ 1）</translation>
    </message>
    <message>
        <source>Projectors + adapter (stage 2)</source>
        <translation>プロジェクター + アダプター（ステージ 2）</translation>
    </message>
    <message>
        <source>Bind network (ImageBind-LLM)</source>
        <translation>バインドネットワーク（ImageBind-LLM）</translation>
    </message>
    <message>
        <source>Space-time DCT</source>
        <translation>時空間 DCT</translation>
    </message>
    <message>
        <source>None</source>
        <translation>なし</translation>
    </message>
    <message>
        <source>Train the encoders too</source>
        <translation>エンコーダーも学習する</translation>
    </message>
    <message>
        <source>Same as the learning rate</source>
        <translation>学習率と同じ</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>参照…</translation>
    </message>
    <message>
        <source>A folder</source>
        <translation>フォルダー</translation>
    </message>
</context>
<context>
    <name>RunEvalModel</name>
    <message>
        <source>(no group)</source>
        <translation>（グループなし）</translation>
    </message>
    <message>
        <source>Perplexity: lower is better</source>
        <translation>パープレキシティ：低いほど良好</translation>
    </message>
    <message>
        <source>Perplexity of the references: %1</source>
        <translation>参照回答のパープレキシティ：%1</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>モデル：%1</translation>
    </message>
    <message>
        <source>Evaluated / group</source>
        <translation>評価日時 / グループ</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>データセット</translation>
    </message>
    <message>
        <source>Metric</source>
        <translation>指標</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>スコア</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>件数</translation>
    </message>
</context>
<context>
    <name>RunEvals</name>
    <message>
        <source>Evaluations of run %1</source>
        <translation>実行 %1 の評価</translation>
    </message>
    <message>
        <source>Evaluations</source>
        <translation>評価</translation>
    </message>
    <message>
        <source>No evaluations yet — run atelier-cli eval --run %1 %2 --data FILE%3 to score this run&apos;s result on a test set.</source>
        <translation>評価はまだありません。atelier-cli eval --run %1 %2 --data FILE%3 を実行すると、この実行の結果をテストセットで採点できます。</translation>
    </message>
</context>
<context>
    <name>RunListModel</name>
    <message>
        <source>Queued</source>
        <translation>待機中</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>学習中</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>完了</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失敗</translation>
    </message>
    <message>
        <source>Interrupted</source>
        <translation>中断</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>実行</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>モデル</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>手法</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>データセット</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状態</translation>
    </message>
    <message>
        <source>Best eval loss</source>
        <translation>最良評価損失</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>ステップ</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>所要時間</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>作成日時</translation>
    </message>
    <message>
        <source>Processes</source>
        <translation>プロセス数</translation>
    </message>
</context>
<context>
    <name>RunsPage</name>
    <message>
        <source>image encoder %1</source>
        <translation>画像エンコーダー %1</translation>
    </message>
    <message>
        <source>audio encoder %1</source>
        <translation>音声エンコーダー %1</translation>
    </message>
    <message>
        <source>the model&apos;s own encoders</source>
        <translation>モデル内蔵のエンコーダー</translation>
    </message>
    <message>
        <source>encoders trained</source>
        <translation>エンコーダーも学習</translation>
    </message>
    <message>
        <source>Multimodal · stage %1 · %2</source>
        <translation>マルチモーダル · ステージ %1 · %2</translation>
    </message>
    <message>
        <source>Multimodal · projectors (stage 1)</source>
        <translation>マルチモーダル · プロジェクター（ステージ 1）</translation>
    </message>
    <message>
        <source>Multimodal · bind network</source>
        <translation>マルチモーダル · バインドネットワーク</translation>
    </message>
    <message>
        <source>Multimodal · projectors + %1 (stage 2)</source>
        <translation>マルチモーダル · プロジェクター + %1（ステージ 2）</translation>
    </message>
    <message>
        <source>Merged model written.</source>
        <translation>マージしたモデルを書き出しました。</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>実行履歴</translation>
    </message>
    <message>
        <source>Filter by model, method, dataset or status</source>
        <translation>モデル、手法、データセット、状態で絞り込み</translation>
    </message>
    <message>
        <source>Chat with this adapter</source>
        <translation>このアダプターでチャット</translation>
    </message>
    <message>
        <source>Open a chat with the base model and this run&apos;s adapter attached</source>
        <translation>ベースモデルにこの実行のアダプターを適用してチャットを開きます</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>再開</translation>
    </message>
    <message>
        <source>Resume training from the run&apos;s last checkpoint</source>
        <translation>この実行の最新のチェックポイントから学習を再開します</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop at the end of the current step, after writing a checkpoint</source>
        <translation>現在のステップの終了時に、チェックポイントを書き出してから停止します</translation>
    </message>
    <message>
        <source>Configuration</source>
        <translation>構成</translation>
    </message>
    <message>
        <source>Export adapter…</source>
        <translation>アダプターをエクスポート…</translation>
    </message>
    <message>
        <source>Copy the adapter (safetensors; LoRA in PEFT&apos;s layout) to a folder</source>
        <translation>アダプター（safetensors。LoRA は PEFT のレイアウト）をフォルダーにコピーします</translation>
    </message>
    <message>
        <source>Export merged model…</source>
        <translation>マージしたモデルをエクスポート…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>削除</translation>
    </message>
    <message>
        <source>Remove the run from this list; its files stay on disk</source>
        <translation>この実行を一覧から削除します。ファイルはディスクに残ります</translation>
    </message>
    <message>
        <source>A LLaMA-Adapter cannot be merged: its prompt tokens are an attention branch, not weights. Use it as an adapter.</source>
        <translation>LLaMA-Adapter はマージできません。プロンプトトークンは重みではなく、アテンションの分岐です。アダプターとして使用してください。</translation>
    </message>
    <message>
        <source>Fold the adapter into the base weights and save a Hugging Face folder</source>
        <translation>アダプターをベースモデルの重みに統合し、Hugging Face フォルダーとして保存します</translation>
    </message>
    <message>
        <source>Chat with run %1</source>
        <translation>実行 %1 とチャット</translation>
    </message>
    <message>
        <source>Run %1 continues from its last checkpoint.</source>
        <translation>実行 %1 を最新のチェックポイントから再開します。</translation>
    </message>
    <message>
        <source>Run %1 stops after writing a checkpoint.</source>
        <translation>実行 %1 はチェックポイントを書き出した後に停止します。</translation>
    </message>
    <message>
        <source>Run %1 is training: stop it before deleting it.</source>
        <translation>実行 %1 は学習中です。削除する前に停止してください。</translation>
    </message>
    <message>
        <source>Delete runs</source>
        <translation>実行を削除</translation>
    </message>
    <message>
        <source>Remove the selected runs and their curves from the list? Their folders, checkpoints and adapters stay on disk.</source>
        <translation>選択した実行とその曲線を一覧から削除しますか？フォルダー、チェックポイント、アダプターはディスクに残ります。</translation>
    </message>
    <message>
        <source>Run %1: configuration</source>
        <translation>実行 %1：構成</translation>
    </message>
    <message>
        <source>Export the adapter to</source>
        <translation>アダプターのエクスポート先</translation>
    </message>
    <message>
        <source>Replace the adapter?</source>
        <translation>アダプターを置き換えますか？</translation>
    </message>
    <message>
        <source>%1 already holds an adapter. Replace its files with this run&apos;s adapter?</source>
        <translation>%1 にはすでにアダプターがあります。そのファイルをこの実行のアダプターで置き換えますか？</translation>
    </message>
    <message>
        <source>Adapter exported to %1</source>
        <translation>アダプターを %1 にエクスポートしました</translation>
    </message>
    <message>
        <source>Save the merged model in</source>
        <translation>マージしたモデルの保存先</translation>
    </message>
    <message>
        <source>Replace the model?</source>
        <translation>モデルを置き換えますか？</translation>
    </message>
    <message>
        <source>%1 already holds a model. Replace it with the merged model?</source>
        <translation>%1 にはすでにモデルがあります。マージしたモデルで置き換えますか？</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Choose the data folder</source>
        <translation>データフォルダーを選択</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>テーマ</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>言語</translation>
    </message>
    <message>
        <source>CPU threads</source>
        <translation>CPU スレッド数</translation>
    </message>
    <message>
        <source>Weights precision</source>
        <translation>重みの精度</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>デバイス</translation>
    </message>
    <message>
        <source>Microphone</source>
        <translation>マイク</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>データフォルダー</translation>
    </message>
    <message>
        <source>System</source>
        <translation>システム</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>ライト</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>ダーク</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>システムの言語</translation>
    </message>
    <message>
        <source>All cores (%1)</source>
        <translation>すべてのコア（%1）</translation>
    </message>
    <message>
        <source>How many CPU threads the model uses. More is faster up to the number of cores.</source>
        <translation>モデルが使う CPU スレッドの数です。コア数までは、多いほど高速になります。</translation>
    </message>
    <message>
        <source>Automatic (fastest this machine runs well)</source>
        <translation>自動（このマシンで問題なく動く最速の形式）</translation>
    </message>
    <message>
        <source>32-bit float (most accurate, twice the memory)</source>
        <translation>32 ビット浮動小数点（最も正確、メモリ 2 倍）</translation>
    </message>
    <message>
        <source>bfloat16 (half the memory)</source>
        <translation>bfloat16（メモリ半分）</translation>
    </message>
    <message>
        <source>float16 (half the memory)</source>
        <translation>float16（メモリ半分）</translation>
    </message>
    <message>
        <source>Applies the next time a model is loaded.</source>
        <translation>次にモデルを読み込んだときに適用されます。</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>CUDA GPU</source>
        <translation>CUDA GPU</translation>
    </message>
    <message>
        <source>CUDA GPU (not available in this build)</source>
        <translation>CUDA GPU（このビルドでは使用できません）</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>システムの既定</translation>
    </message>
    <message>
        <source>The input the Record button uses. The list is refreshed each time this page opens.</source>
        <translation>録音ボタンが使う入力デバイスです。一覧はこのページを開くたびに更新されます。</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>参照…</translation>
    </message>
    <message>
        <source>Set by --data-dir for this session.</source>
        <translation>このセッションでは --data-dir で指定されています。</translation>
    </message>
    <message>
        <source>Conversations and the model library live here. A new folder takes effect at the next start.</source>
        <translation>会話とモデルライブラリはここに保存されます。新しいフォルダーは次回の起動時から有効になります。</translation>
    </message>
    <message>
        <source>%1 (default)</source>
        <translation>%1（既定）</translation>
    </message>
    <message>
        <source>%1 (not connected)</source>
        <translation>%1（未接続）</translation>
    </message>
    <message>
        <source>System default (no microphone found)</source>
        <translation>システムの既定（マイクが見つかりません）</translation>
    </message>
    <message>
        <source>Apple GPU (Metal)</source>
        <translation>Apple GPU（Metal）</translation>
    </message>
    <message>
        <source>Apple GPU (Metal; only on Apple Silicon Macs)</source>
        <translation>Apple GPU（Metal、Apple シリコン搭載 Mac のみ）</translation>
    </message>
</context>
<context>
    <name>TrainPage</name>
    <message>
        <source>Base model</source>
        <translation>ベースモデル</translation>
    </message>
    <message>
        <source>The model the adapter is trained for (from the Models page)</source>
        <translation>アダプターを学習させる対象のモデル（「モデル」ページから選択）</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>データセット</translation>
    </message>
    <message>
        <source>Alpaca, ShareGPT, OpenAI messages or LLaVA, as .json or .jsonl</source>
        <translation>Alpaca、ShareGPT、OpenAI messages、LLaVA 形式の .json または .jsonl</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>形式</translation>
    </message>
    <message>
        <source>Detected from the file; choose one to override</source>
        <translation>ファイルから自動検出されます。変更するには形式を選択してください</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>手法</translation>
    </message>
    <message>
        <source>LoRA: low-rank updates of the projections. LLaMA-Adapter: learned prompt tokens with a zero-initialised gate. V2 adds bias, scale and norms.</source>
        <translation>LoRA：射影行列の低ランク更新。LLaMA-Adapter：ゼロ初期化ゲート付きの学習可能なプロンプトトークン。V2 ではバイアス、スケール、正規化層も学習します。</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>エポック数</translation>
    </message>
    <message>
        <source>Passes over the training examples</source>
        <translation>学習サンプル全体を繰り返す回数</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学習率</translation>
    </message>
    <message>
        <source>Peak learning rate, reached after the warmup, then decayed along a cosine</source>
        <translation>ウォームアップ後に到達する最大学習率。その後はコサインカーブに沿って減衰します</translation>
    </message>
    <message>
        <source>Warmup</source>
        <translation>ウォームアップ</translation>
    </message>
    <message>
        <source>Share of the steps spent raising the learning rate from zero</source>
        <translation>学習率をゼロから引き上げるのに使うステップの割合</translation>
    </message>
    <message>
        <source>Weight decay</source>
        <translation>重み減衰</translation>
    </message>
    <message>
        <source>AdamW decay; never applied to gates, biases, scales and norms</source>
        <translation>AdamW の減衰。ゲート、バイアス、スケール、正規化層には適用されません</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>バッチサイズ</translation>
    </message>
    <message>
        <source>Examples per forward pass; more needs more memory</source>
        <translation>1 回の順伝播で処理するサンプル数。多いほどメモリが必要です</translation>
    </message>
    <message>
        <source>Gradient accumulation</source>
        <translation>勾配累積</translation>
    </message>
    <message>
        <source>Batches added up before each optimiser step: a larger effective batch at the same memory</source>
        <translation>オプティマイザーの各ステップ前に累積するバッチ数。同じメモリ量で実効バッチサイズを大きくできます</translation>
    </message>
    <message>
        <source>Max length</source>
        <translation>最大長</translation>
    </message>
    <message>
        <source>Tokens per example; longer ones are cut</source>
        <translation>サンプルあたりのトークン数。これより長いものは切り詰められます</translation>
    </message>
    <message>
        <source>Eval split</source>
        <translation>評価用の割合</translation>
    </message>
    <message>
        <source>Share of the examples held out to measure eval loss</source>
        <translation>評価損失の測定用に取り分けるサンプルの割合</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>シード</translation>
    </message>
    <message>
        <source>The same seed and settings train the same adapter</source>
        <translation>同じシードと設定では同じアダプターが学習されます</translation>
    </message>
    <message>
        <source>LoRA rank</source>
        <translation>LoRA ランク</translation>
    </message>
    <message>
        <source>Rank r of the low-rank update: more capacity, more parameters</source>
        <translation>低ランク更新のランク r。大きいほど表現力もパラメーター数も増えます</translation>
    </message>
    <message>
        <source>LoRA alpha</source>
        <translation>LoRA alpha</translation>
    </message>
    <message>
        <source>The update is scaled by alpha / r</source>
        <translation>更新量は alpha / r 倍にスケーリングされます</translation>
    </message>
    <message>
        <source>LoRA dropout</source>
        <translation>LoRA ドロップアウト</translation>
    </message>
    <message>
        <source>Dropout on the LoRA branch&apos;s input while training</source>
        <translation>学習中に LoRA 分岐の入力に適用するドロップアウト</translation>
    </message>
    <message>
        <source>LoRA targets</source>
        <translation>LoRA 対象</translation>
    </message>
    <message>
        <source>Projections that get a LoRA branch, comma-separated: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj</source>
        <translation>LoRA 分岐を追加する射影（カンマ区切り）：q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj</translation>
    </message>
    <message>
        <source>Prompt tokens</source>
        <translation>プロンプトトークン数</translation>
    </message>
    <message>
        <source>LLaMA-Adapter: learned tokens per adapted layer</source>
        <translation>LLaMA-Adapter：適用する各レイヤーの学習トークン数</translation>
    </message>
    <message>
        <source>Adapted layers</source>
        <translation>適用レイヤー数</translation>
    </message>
    <message>
        <source>LLaMA-Adapter: how many of the top layers get prompt tokens</source>
        <translation>LLaMA-Adapter：プロンプトトークンを追加する上位レイヤーの数</translation>
    </message>
    <message>
        <source>Gradient checkpointing</source>
        <translation>勾配チェックポイント</translation>
    </message>
    <message>
        <source>Recompute each layer during the backward pass: less memory, about a third more time</source>
        <translation>逆伝播時に各レイヤーを再計算します。メモリは減りますが、時間は約 3 分の 1 増えます</translation>
    </message>
    <message>
        <source>Packing</source>
        <translation>パッキング</translation>
    </message>
    <message>
        <source>Join short examples into full-length sequences: less padding</source>
        <translation>短いサンプルをつなげて最大長のシーケンスにします。パディングが減ります</translation>
    </message>
    <message>
        <source>Choose a dataset</source>
        <translation>データセットを選択</translation>
    </message>
    <message>
        <source>Datasets (*.json *.jsonl);;All files (*)</source>
        <translation>データセット (*.json *.jsonl);;すべてのファイル (*)</translation>
    </message>
    <message>
        <source>Chat with run %1</source>
        <translation>実行 %1 とチャット</translation>
    </message>
    <message>
        <source>Train an adapter</source>
        <translation>アダプターを学習</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>参照…</translation>
    </message>
    <message>
        <source>A dataset file</source>
        <translation>データセットファイル</translation>
    </message>
    <message>
        <source>Detect</source>
        <translation>自動検出</translation>
    </message>
    <message>
        <source>OpenAI messages</source>
        <translation>OpenAI messages</translation>
    </message>
    <message>
        <source>Start training</source>
        <translation>学習を開始</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop at the end of the current step, after writing a checkpoint</source>
        <translation>現在のステップの終了時に、チェックポイントを書き出してから停止します</translation>
    </message>
    <message>
        <source>Chat with the result</source>
        <translation>結果とチャット</translation>
    </message>
    <message>
        <source>Choose a model and a dataset to see the trainable parameters and an estimate of memory and time.</source>
        <translation>モデルとデータセットを選ぶと、学習可能なパラメーター数と、メモリ・時間の見積もりが表示されます。</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 分</translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation>%1 時間</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1 trainable parameters&lt;/b&gt; (%2% of the model) · about %3 of memory · about %4 on this CPU</source>
        <translation>&lt;b&gt;学習可能なパラメーター %1&lt;/b&gt;（モデルの %2%） · メモリ約 %3 · この CPU で約 %4</translation>
    </message>
    <message>
        <source>Projectors and encoders come on top: the run counts them when it starts.</source>
        <translation>プロジェクターとエンコーダーの分は別途加わります。実行の開始時に集計されます。</translation>
    </message>
    <message>
        <source>Reading %1…</source>
        <translation>%1 を読み込み中…</translation>
    </message>
    <message>
        <source>The dataset cannot be used.</source>
        <translation>このデータセットは使用できません。</translation>
    </message>
    <message>
        <source>%1 format · %2 examples · %3 bad rows skipped · %4–%5 tokens (median %6), %7 cut at the max length</source>
        <translation>%1 形式 · %2 サンプル · 不正な行 %3 件をスキップ · %4–%5 トークン（中央値 %6）、%7 件を最大長で切り詰め</translation>
    </message>
    <message>
        <source>line %1: %2</source>
        <translation>%1 行目：%2</translation>
    </message>
    <message>
        <source>No bad rows.</source>
        <translation>不正な行はありません。</translation>
    </message>
    <message>
        <source>Examples</source>
        <translation>サンプル数</translation>
    </message>
    <message>
        <source>Examples by length (tokens, up to)</source>
        <translation>長さ別のサンプル数（トークン数、以下）</translation>
    </message>
    <message>
        <source>Run %1 started.</source>
        <translation>実行 %1 を開始しました。</translation>
    </message>
    <message>
        <source>Training cannot start.</source>
        <translation>学習を開始できません。</translation>
    </message>
    <message>
        <source>No run yet.</source>
        <translation>実行はまだありません。</translation>
    </message>
    <message>
        <source>Run %1 · stopping after the current step…</source>
        <translation>実行 %1 · 現在のステップの後で停止します…</translation>
    </message>
    <message>
        <source>Run %1 · %2 · step %3 of %4</source>
        <translation>実行 %1 · %2 · ステップ %3 / %4</translation>
    </message>
    <message>
        <source>Run %1 · %2 · step %3 of %4 · about %5 left</source>
        <translation>実行 %1 · %2 · ステップ %3 / %4 · 残り約 %5</translation>
    </message>
    <message>
        <source>Run %1 failed.</source>
        <translation>実行 %1 が失敗しました。</translation>
    </message>
    <message>
        <source>Run %1 finished: chat with its adapter.</source>
        <translation>実行 %1 が完了しました。アダプターとチャットできます。</translation>
    </message>
    <message>
        <source>Run %1 ended: %2.</source>
        <translation>実行 %1 が終了しました：%2。</translation>
    </message>
    <message>
        <source>Processes</source>
        <translation>プロセス数</translation>
    </message>
    <message>
        <source>Training processes sharing each batch and this computer&apos;s cores; the loss curve is the same as with one. Several computers: see the README</source>
        <translation>各バッチとこのコンピューターのコアを分担するトレーニングプロセス。損失曲線は1プロセスと同じです。複数のコンピューター: README を参照</translation>
    </message>
</context>
<context>
    <name>Trainer</name>
    <message>
        <source>Cannot start the trainer %1.</source>
        <translation>学習プログラム %1 を起動できません。</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>It was written by a newer version of Atelier. Update Atelier, or start with another data folder (--data-dir); the file was left untouched.</source>
        <translation>新しいバージョンの Atelier で書き込まれたファイルです。Atelier を更新するか、別のデータフォルダーで起動してください（--data-dir）。ファイルは変更されていません。</translation>
    </message>
    <message>
        <source>Atelier cannot start</source>
        <translation>Atelier を起動できません</translation>
    </message>
    <message>
        <source>The database %1 cannot be opened.</source>
        <translation>データベース %1 を開けません。</translation>
    </message>
</context>
</TS>
