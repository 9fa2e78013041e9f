<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AttachmentChip</name>
    <message>
        <source>Frame the model sees at %1</source>
        <translation>模型在 %1 看到的画面</translation>
    </message>
    <message>
        <source>Cannot be read: %1</source>
        <translation>无法读取：%1</translation>
    </message>
    <message>
        <source>with sound</source>
        <translation>有声音</translation>
    </message>
    <message>
        <source>no sound</source>
        <translation>无声音</translation>
    </message>
    <message>
        <source>Stop encoding (the file stays attached)</source>
        <translation>停止编码（文件仍保留为附件）</translation>
    </message>
    <message>
        <source>encoding…</source>
        <translation>正在编码…</translation>
    </message>
    <message>
        <source>Not sent: the model reads media only</source>
        <translation>不会发送：模型只读取媒体文件</translation>
    </message>
    <message>
        <source>Not sent: this model cannot see images</source>
        <translation>不会发送：此模型看不了图片</translation>
    </message>
    <message>
        <source>Not sent: this model cannot hear audio</source>
        <translation>不会发送：此模型听不了音频</translation>
    </message>
    <message>
        <source>Not sent: this model cannot watch video</source>
        <translation>不会发送：此模型看不了视频</translation>
    </message>
    <message>
        <source>Choose a model that reads this kind of media (a LLaVA folder or an Atelier bundle) to send it.</source>
        <translation>要发送它，请选择能读取这类媒体的模型（LLaVA 文件夹或 Atelier 多模态包）。</translation>
    </message>
    <message>
        <source>Cannot play: %1</source>
        <translation>无法播放：%1</translation>
    </message>
    <message>
        <source>Remove attachment</source>
        <translation>移除附件</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message numerus="yes">
        <source>%n frame(s)</source>
        <translation>
            <numerusform>%n 帧</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n 个词元</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ChatController</name>
    <message>
        <source>Your conversations could not be saved.</source>
        <translation>无法保存你的对话。</translation>
    </message>
    <message>
        <source>Model loading cancelled.</source>
        <translation>已取消加载模型。</translation>
    </message>
    <message>
        <source>Cannot load the model %1.</source>
        <translation>无法加载模型 %1。</translation>
    </message>
    <message>
        <source>Add a model on the Models page first.</source>
        <translation>请先在“模型”页面添加模型。</translation>
    </message>
    <message>
        <source>Attachments</source>
        <translation>附件</translation>
    </message>
    <message>
        <source>The model could not answer.</source>
        <translation>模型无法回答。</translation>
    </message>
    <message numerus="yes">
        <source>%n attachment(s) not sent: this model cannot read them.</source>
        <translation>
            <numerusform>%n 个附件未发送：此模型无法读取。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The conversation is longer than the model&apos;s context: the oldest %n message(s) were left out.</source>
        <translation>
            <numerusform>对话超出了模型的上下文：最早的 %n 条消息被省略。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ChatPage</name>
    <message>
        <source>Loading %1…</source>
        <translation>正在加载 %1…</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Cannot attach %1: the file cannot be read.</source>
        <translation>无法附加 %1：文件无法读取。</translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>已复制到剪贴板。</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Export as Markdown…</source>
        <translation>导出为 Markdown…</translation>
    </message>
    <message>
        <source>Export as JSON…</source>
        <translation>导出为 JSON…</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Show or hide this conversation&apos;s settings</source>
        <translation>显示或隐藏此对话的设置</translation>
    </message>
    <message>
        <source>The model that answers in this conversation</source>
        <translation>在此对话中回答的模型</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Add a model…</source>
        <translation>添加模型…</translation>
    </message>
    <message>
        <source>Cancel editing</source>
        <translation>取消编辑</translation>
    </message>
    <message>
        <source>Editing a message: sending replaces it and every message after it.</source>
        <translation>正在编辑消息：发送后将替换它及其后的所有消息。</translation>
    </message>
    <message>
        <source>Attach images, audio or video</source>
        <translation>附加图片、音频或视频</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Send (Enter)</source>
        <translation>发送 (Enter)</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop the reply (Esc)</source>
        <translation>停止回复 (Esc)</translation>
    </message>
    <message>
        <source>No model yet.
Add a model folder (Hugging Face, Meta or llama2.c) on the Models page to start chatting.</source>
        <translation>还没有模型。
请在“模型”页面添加模型文件夹（Hugging Face、Meta 或 llama2.c）后开始对话。</translation>
    </message>
    <message>
        <source>Ask anything.
Drop images, audio or video on the window to attach them.</source>
        <translation>随便问吧。
把图片、音频或视频拖到窗口上即可附加。</translation>
    </message>
    <message>
        <source>Delete conversation</source>
        <translation>删除对话</translation>
    </message>
    <message>
        <source>Delete &quot;%1&quot; and all its messages? This cannot be undone.</source>
        <translation>删除“%1”及其所有消息？此操作无法撤销。</translation>
    </message>
    <message>
        <source>Attach files</source>
        <translation>附加文件</translation>
    </message>
    <message>
        <source>Media (*.png *.jpg *.jpeg *.webp *.bmp *.gif *.wav *.mp3 *.flac *.ogg *.m4a *.mp4 *.mkv *.webm *.mov *.avi);;All files (*)</source>
        <translation>媒体文件 (*.png *.jpg *.jpeg *.webp *.bmp *.gif *.wav *.mp3 *.flac *.ogg *.m4a *.mp4 *.mkv *.webm *.mov *.avi);;所有文件 (*)</translation>
    </message>
    <message>
        <source>There is nothing to export yet.</source>
        <translation>暂无可导出的内容。</translation>
    </message>
    <message>
        <source>Export conversation</source>
        <translation>导出对话</translation>
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
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>Exported to %1</source>
        <translation>已导出到 %1</translation>
    </message>
    <message>
        <source>The pasted image could not be saved to the data folder.</source>
        <translation>无法将粘贴的图片保存到数据文件夹。</translation>
    </message>
    <message>
        <source>Start a new conversation (%1)</source>
        <translation>开始新对话 (%1)</translation>
    </message>
    <message>
        <source>Search conversations (%1)</source>
        <translation>搜索对话 (%1)</translation>
    </message>
    <message>
        <source>Chat with the base model, without the adapter</source>
        <translation>使用基础模型对话，不加载适配器</translation>
    </message>
    <message>
        <source>Adapter: %1</source>
        <translation>适配器：%1</translation>
    </message>
    <message>
        <source>Recording failed.</source>
        <translation>录音失败。</translation>
    </message>
    <message>
        <source>image</source>
        <translation>图片</translation>
    </message>
    <message>
        <source>audio</source>
        <translation>音频</translation>
    </message>
    <message>
        <source>video</source>
        <translation>视频</translation>
    </message>
    <message>
        <source>file</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Record a voice message (or hold %1 while typing)</source>
        <translation>录制语音消息（或在输入时按住 %1）</translation>
    </message>
    <message>
        <source>%1 reads text only: attachments are kept with the message but not sent to it.</source>
        <translation>%1 只能读取文本：附件会随消息保存，但不会发送给它。</translation>
    </message>
    <message>
        <source>%1 reads: %2.</source>
        <translation>%1 可以读取：%2。</translation>
    </message>
    <message>
        <source>%1 cannot hear: a recording is kept with the message but not sent to it.</source>
        <translation>%1 听不了声音：录音会随消息保存，但不会发送给它。</translation>
    </message>
    <message>
        <source>%1 / %2 tokens</source>
        <translation>%1 / %2 词元</translation>
    </message>
    <message>
        <source>The conversation and your draft take %1 of the model&apos;s %2 context positions.</source>
        <translation>对话和你的草稿占用了模型 %2 个上下文位置中的 %1 个。</translation>
    </message>
    <message>
        <source>Send without the attachments?</source>
        <translation>不带附件发送？</translation>
    </message>
    <message>
        <source>%1 cannot read:
%2

They stay with your message, but the model will not see them. Send the text alone?</source>
        <translation>%1 无法读取：
%2

它们会保留在你的消息中，但模型看不到。只发送文本吗？</translation>
    </message>
    <message>
        <source>Send the text alone</source>
        <translation>只发送文本</translation>
    </message>
    <message numerus="yes">
        <source>The oldest %n message(s) will be left out to fit.</source>
        <translation>
            <numerusform>最早的 %n 条消息将被省略以适应上下文。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>This model reads text only: attachments are kept with the message, but the model does not see them.</source>
        <translation>此模型只能读取文本：附件会随消息保存，但模型看不到它们。</translation>
    </message>
    <message>
        <source>%1 · %2 left</source>
        <translation>%1 · 剩余 %2</translation>
    </message>
    <message>
        <source>Message (Enter to send, Shift+Enter for a new line, hold Ctrl+Space to talk)</source>
        <translation>消息（Enter 发送，Shift+Enter 换行，按住 Ctrl+Space 说话）</translation>
    </message>
    <message>
        <source>Recording</source>
        <translation>正在录音</translation>
    </message>
    <message>
        <source>Attach</source>
        <translation>附加</translation>
    </message>
    <message>
        <source>Stop recording and attach it</source>
        <translation>停止录音并附加</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop recording and throw it away</source>
        <translation>停止录音并丢弃</translation>
    </message>
    <message>
        <source>Input level</source>
        <translation>输入音量</translation>
    </message>
</context>
<context>
    <name>ConversationListModel</name>
    <message>
        <source>%1
Last active %2</source>
        <translation>%1
最近活动于 %2</translation>
    </message>
</context>
<context>
    <name>ConversationSettingsPanel</name>
    <message>
        <source>Conversation settings</source>
        <translation>对话设置</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>系统提示词</translation>
    </message>
    <message>
        <source>Optional instructions for the model, e.g. &quot;Answer briefly.&quot;</source>
        <translation>可选的模型指令，例如“请简短回答。”</translation>
    </message>
    <message>
        <source>Model default</source>
        <translation>模型默认</translation>
    </message>
    <message>
        <source>None: continue the text</source>
        <translation>无：续写文本</translation>
    </message>
    <message>
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>Chat template</source>
        <translation>对话模板</translation>
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
        <translation>最大词元数</translation>
    </message>
    <message>
        <source>Repetition penalty</source>
        <translation>重复惩罚</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>How the conversation is laid out for the model. &quot;None&quot; continues your text as written.</source>
        <translation>对话以何种格式交给模型。“无”会按原样续写你的文本。</translation>
    </message>
    <message>
        <source>Randomness: 0 always picks the most likely token; higher values are more varied.</source>
        <translation>随机性：0 总是选择最可能的词元；数值越高，回答越多样。</translation>
    </message>
    <message>
        <source>Sample only from the most likely tokens whose probabilities add up to this.</source>
        <translation>只从累计概率达到该值的最可能词元中采样。</translation>
    </message>
    <message>
        <source>Sample only from this many most likely tokens (0 = no limit).</source>
        <translation>只从这么多个最可能的词元中采样（0 = 不限制）。</translation>
    </message>
    <message>
        <source>Drop tokens less likely than this fraction of the most likely one (0 = off).</source>
        <translation>舍弃概率低于最可能词元该比例的词元（0 = 关闭）。</translation>
    </message>
    <message>
        <source>The longest reply, in tokens.</source>
        <translation>回复的最大长度（以词元计）。</translation>
    </message>
    <message>
        <source>Makes repeating recent tokens less likely (1 = off).</source>
        <translation>降低重复近期词元的可能性（1 = 关闭）。</translation>
    </message>
    <message>
        <source>The same seed and settings give the same reply; Random picks a new one each time.</source>
        <translation>相同的种子和设置会给出相同的回复；“随机”每次选用新的种子。</translation>
    </message>
</context>
<context>
    <name>DatasetPreviewText</name>
    <message>
        <source>Image</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>Audio</source>
        <translation>音频</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>视频</translation>
    </message>
    <message>
        <source>%1 %2 cannot be read: %3</source>
        <translation>%1 %2 无法读取：%3</translation>
    </message>
    <message>
        <source>%1 %2: %3×%4 pixels</source>
        <translation>%1 %2：%3×%4 像素</translation>
    </message>
    <message>
        <source>%1 %2: %3 s, %4×%5, %6 frames sampled</source>
        <translation>%1 %2：%3 秒，%4×%5，采样 %6 帧</translation>
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
        <translation>无法读取或写入该文件。</translation>
    </message>
    <message>
        <source>A file the model needs was not found.</source>
        <translation>未找到模型所需的文件。</translation>
    </message>
    <message>
        <source>The file is shorter than its header says: it may be incomplete.</source>
        <translation>文件比其文件头声明的要短：可能不完整。</translation>
    </message>
    <message>
        <source>The file&apos;s header is invalid.</source>
        <translation>文件头无效。</translation>
    </message>
    <message>
        <source>A JSON file is malformed.</source>
        <translation>JSON 文件格式错误。</translation>
    </message>
    <message>
        <source>The weights use a number format Atelier does not read.</source>
        <translation>权重使用了 Atelier 无法读取的数值格式。</translation>
    </message>
    <message>
        <source>The weights file is corrupt: a tensor lies outside the file.</source>
        <translation>权重文件已损坏：有张量超出了文件范围。</translation>
    </message>
    <message>
        <source>The weights file is corrupt: two tensors overlap.</source>
        <translation>权重文件已损坏：两个张量相互重叠。</translation>
    </message>
    <message>
        <source>A tensor has the wrong size for this model.</source>
        <translation>有张量的尺寸与此模型不符。</translation>
    </message>
    <message>
        <source>The weights are incomplete: a tensor is missing.</source>
        <translation>权重不完整：缺少张量。</translation>
    </message>
    <message>
        <source>This is not a model folder Atelier can read.</source>
        <translation>这不是 Atelier 能读取的模型文件夹。</translation>
    </message>
    <message>
        <source>This model architecture is not supported.</source>
        <translation>不支持此模型架构。</translation>
    </message>
    <message>
        <source>The model&apos;s configuration is invalid.</source>
        <translation>模型配置无效。</translation>
    </message>
    <message>
        <source>The tokenizer could not be loaded.</source>
        <translation>无法加载分词器。</translation>
    </message>
    <message>
        <source>Unknown chat template.</source>
        <translation>未知的对话模板。</translation>
    </message>
    <message>
        <source>The request is invalid.</source>
        <translation>请求无效。</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>This is not an image, audio or video file Atelier can read, or it is damaged.</source>
        <translation>这不是 Atelier 能读取的图像、音频或视频文件，或者文件已损坏。</translation>
    </message>
    <message>
        <source>The media file has no picture or sound of the kind needed.</source>
        <translation>该媒体文件没有所需的画面或声音。</translation>
    </message>
    <message>
        <source>The media file uses a format this installation cannot decode.</source>
        <translation>该媒体文件使用了本机无法解码的格式。</translation>
    </message>
    <message>
        <source>The media file is too large or too long.</source>
        <translation>该媒体文件太大或太长。</translation>
    </message>
    <message>
        <source>This model cannot read this kind of media.</source>
        <translation>此模型无法读取这种媒体。</translation>
    </message>
    <message>
        <source>Unexpected error.</source>
        <translation>意外错误。</translation>
    </message>
    <message>
        <source>No microphone was found. Connect one, or choose another input in Settings.</source>
        <translation>未找到麦克风。请连接一个，或在“设置”中选择其他输入设备。</translation>
    </message>
    <message>
        <source>The microphone cannot be opened: another program may be using it, or it was unplugged.</source>
        <translation>无法打开麦克风：可能有其他程序正在使用，或已被拔出。</translation>
    </message>
    <message>
        <source>The microphone stopped during the recording. What was recorded until then is kept.</source>
        <translation>录音过程中麦克风停止工作。此前录下的内容已保留。</translation>
    </message>
    <message>
        <source>One of the run&apos;s training processes stopped or stopped answering, so the run ended. Its last checkpoint is kept: continue the run to resume from it.</source>
        <translation>本次运行的某个训练进程已停止或不再响应，因此运行已结束。其最后一个检查点已保留：继续运行即可从该处恢复。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>%1 · %2 · %3 · context %4</source>
        <translation>%1 · %2 · %3 · 上下文 %4</translation>
    </message>
    <message>
        <source>Longest GUI stall: %1 ms</source>
        <translation>界面最长卡顿：%1 毫秒</translation>
    </message>
    <message>
        <source>About Atelier</source>
        <translation>关于 Atelier</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Atelier %1&lt;/h3&gt;&lt;p&gt;Chat with LLaMA-family models and fine-tune your own adapters, natively: C++, Qt and LibTorch, no Python.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Atelier %1&lt;/h3&gt;&lt;p&gt;与 LLaMA 系列模型对话，并微调你自己的适配器——原生实现：C++、Qt 与 LibTorch，无需 Python。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Atelier</source>
        <translation>Atelier</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>聊天</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>运行记录</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;New chat</source>
        <translation>新对话(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Add model folder…</source>
        <translation>添加模型文件夹(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Export conversation…</source>
        <translation>导出对话(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Search conversations</source>
        <translation>搜索对话(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Performance overlay</source>
        <translation>性能浮层(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About Atelier</source>
        <translation>关于 Atelier(&amp;A)</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>The run store cannot be opened:
%1</source>
        <translation>无法打开运行记录库：
%1</translation>
    </message>
    <message>
        <source>Run %1 finished.</source>
        <translation>运行 %1 已完成。</translation>
    </message>
    <message>
        <source>Run %1 failed.</source>
        <translation>运行 %1 失败。</translation>
    </message>
    <message>
        <source>Run %1 ended.</source>
        <translation>运行 %1 已结束。</translation>
    </message>
</context>
<context>
    <name>MediaViewer</name>
    <message>
        <source>The file is no longer there: %1</source>
        <translation>文件已不在原处：%1</translation>
    </message>
    <message>
        <source>This image cannot be shown here.</source>
        <translation>无法在此显示这张图片。</translation>
    </message>
    <message>
        <source>Cannot play here: %1</source>
        <translation>无法在此播放：%1</translation>
    </message>
    <message>
        <source>Open in another application</source>
        <translation>用其他应用打开</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>MessageDelegate</name>
    <message>
        <source>You</source>
        <translation>你</translation>
    </message>
    <message>
        <source>System</source>
        <translation>系统</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>助手</translation>
    </message>
    <message>
        <source>Generating…</source>
        <translation>正在生成…</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>Interrupted: the app closed before this reply finished</source>
        <translation>已中断：回复完成前应用已关闭</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <source>Copy code</source>
        <translation>复制代码</translation>
    </message>
    <message>
        <source>%1 tokens/s</source>
        <translation>%1 词元/秒</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n 个词元</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MetricChart</name>
    <message>
        <source>Export chart</source>
        <translation>导出图表</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>PNG 图片 (*.png)</translation>
    </message>
    <message>
        <source>Export points</source>
        <translation>导出数据点</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>Training loss</source>
        <translation>训练损失</translation>
    </message>
    <message>
        <source>Eval loss</source>
        <translation>验证损失</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Gradient norm</source>
        <translation>梯度范数</translation>
    </message>
    <message>
        <source>Tokens per second</source>
        <translation>每秒词元数</translation>
    </message>
    <message>
        <source>Smoothing</source>
        <translation>平滑</translation>
    </message>
    <message>
        <source>Exponential moving average of the loss; the raw points stay visible, lighter</source>
        <translation>损失的指数移动平均；原始数据点以浅色保留显示</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>对数坐标</translation>
    </message>
    <message>
        <source>Reset zoom</source>
        <translation>重置缩放</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Export as PNG…</source>
        <translation>导出为 PNG…</translation>
    </message>
    <message>
        <source>Export points as CSV…</source>
        <translation>将数据点导出为 CSV…</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>Run %1</source>
        <translation>运行 %1</translation>
    </message>
    <message>
        <source>run %1 · step %2 · %3</source>
        <translation>运行 %1 · 第 %2 步 · %3</translation>
    </message>
    <message>
        <source>Run %1 (raw)</source>
        <translation>运行 %1（原始）</translation>
    </message>
    <message>
        <source>Raw</source>
        <translation>原始</translation>
    </message>
    <message>
        <source>Run %1 (smoothed)</source>
        <translation>运行 %1（平滑）</translation>
    </message>
    <message>
        <source>Smoothed</source>
        <translation>平滑</translation>
    </message>
    <message>
        <source>Drag a rectangle to zoom in, scroll to pan along the steps, Ctrl+scroll to zoom</source>
        <translation>拖出矩形放大，滚动滚轮沿步数平移，Ctrl+滚轮缩放</translation>
    </message>
</context>
<context>
    <name>ModelsPage</name>
    <message>
        <source>Default</source>
        <translation>默认</translation>
    </message>
    <message>
        <source>%1 · %2 parameters · %3 · context %4 · template %5</source>
        <translation>%1 · %2 参数 · %3 · 上下文 %4 · 模板 %5</translation>
    </message>
    <message>
        <source>%1 on disk · %2 format · %3</source>
        <translation>磁盘占用 %1 · %2 格式 · %3</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <source>Add file…</source>
        <translation>添加文件…</translation>
    </message>
    <message>
        <source>Set as default</source>
        <translation>设为默认</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <source>Remove from the library (the files stay on disk)</source>
        <translation>从模型库中移除（文件保留在磁盘上）</translation>
    </message>
    <message>
        <source>Checking %1…</source>
        <translation>正在检查 %1…</translation>
    </message>
    <message>
        <source>Choose a model folder</source>
        <translation>选择模型文件夹</translation>
    </message>
    <message>
        <source>Choose a model file</source>
        <translation>选择模型文件</translation>
    </message>
    <message>
        <source>Model files (*.bin *.safetensors);;All files (*)</source>
        <translation>模型文件 (*.bin *.safetensors);;所有文件 (*)</translation>
    </message>
    <message>
        <source>%1 was not added.</source>
        <translation>%1 未被添加。</translation>
    </message>
    <message>
        <source>Sees images</source>
        <translation>能看图片</translation>
    </message>
    <message>
        <source>Hears audio</source>
        <translation>能听音频</translation>
    </message>
    <message>
        <source>Watches video</source>
        <translation>能看视频</translation>
    </message>
    <message>
        <source>%1 tokens per second</source>
        <translation>每秒 %1 个词元</translation>
    </message>
    <message>
        <source>Add a Hugging Face folder (config.json + safetensors), a Meta folder (params.json + consolidated.00.pth), a llama2.c .bin file, a LLaVA-1.5 folder or an Atelier multimodal bundle (it sees, hears or watches what its badges say). You can also drop folders here. Removing a model only takes it off this list; its files stay.</source>
        <translation>添加 Hugging Face 文件夹（config.json + safetensors）、Meta 文件夹（params.json + consolidated.00.pth）、llama2.c 的 .bin 文件、LLaVA-1.5 文件夹或 Atelier 多模态包（它能看、听或观看的内容见其标签）。也可以把文件夹拖到这里。移除模型只会将其从列表中删去，文件仍保留。</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s) per image</source>
        <translation>
            <numerusform>每张图片 %n 个词元</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n token(s) per video (%1 frames)</source>
        <translation>
            <numerusform>每段视频 %n 个词元（%1 帧）</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MultimodalOptions</name>
    <message>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <source>Text only: the adapter learns from the text, as before. Stage 1 trains projectors that turn the encoders&apos; features into tokens of the frozen model (LLaVA, AnyMAL); stage 2 trains the projectors and the adapter above; the bind network (ImageBind-LLM) adds the media to every layer through gates that start at zero.</source>
        <translation>仅文本：适配器照常只从文本中学习。阶段 1 训练投影器，把编码器的特征转换为冻结模型的词元（LLaVA、AnyMAL）；阶段 2 同时训练投影器和上面的适配器；绑定网络（ImageBind-LLM）通过零初始化的门控把媒体加入每一层。</translation>
    </message>
    <message>
        <source>Image encoder</source>
        <translation>图像编码器</translation>
    </message>
    <message>
        <source>Folder of a CLIP-style vision encoder; a multimodal bundle brings its own</source>
        <translation>CLIP 类视觉编码器所在的文件夹；多模态模型包自带编码器</translation>
    </message>
    <message>
        <source>Audio encoder</source>
        <translation>音频编码器</translation>
    </message>
    <message>
        <source>Folder of a Whisper-style audio encoder; a multimodal bundle brings its own</source>
        <translation>Whisper 类音频编码器所在的文件夹；多模态模型包自带编码器</translation>
    </message>
    <message>
        <source>Encoders</source>
        <translation>编码器</translation>
    </message>
    <message>
        <source>Unfreeze the encoders (for small encoders trained from scratch). Frozen encoders are run once per file and their features cached.</source>
        <translation>解冻编码器（适用于从头训练的小型编码器）。冻结的编码器对每个文件只运行一次，其特征会被缓存。</translation>
    </message>
    <message>
        <source>Video temporal module</source>
        <translation>视频时序模块</translation>
    </message>
    <message>
        <source>How a video&apos;s sampled frames become tokens: a Q-Former (Video-LLaMA), a space-time DCT (each frame pooled to a small grid, then the mean frame and how each cell changes over time; learns motion fast) or a Perceiver over all frames; None passes every frame on as image tokens. The bind network has none.</source>
        <translation>视频采样帧如何变为词元：Q-Former（Video-LLaMA）、时空 DCT（每帧先池化为小网格，再取平均帧及每个格子随时间的变化；能很快学会运动）或对全部帧使用 Perceiver；“无”则把每一帧作为图像词元直接传入。绑定网络没有时序模块。</translation>
    </message>
    <message>
        <source>Space-time DCT</source>
        <translation>时空 DCT</translation>
    </message>
    <message>
        <source>Frames per video</source>
        <translation>每个视频的帧数</translation>
    </message>
    <message>
        <source>Frames sampled evenly through each video</source>
        <translation>在每个视频中均匀采样的帧数</translation>
    </message>
    <message>
        <source>Projector learning rate</source>
        <translation>投影器学习率</translation>
    </message>
    <message>
        <source>Peak learning rate of the projectors; 0 uses the learning rate above</source>
        <translation>投影器的峰值学习率；为 0 时使用上面的学习率</translation>
    </message>
    <message>
        <source>Choose the image encoder folder</source>
        <translation>选择图像编码器文件夹</translation>
    </message>
    <message>
        <source>Choose the audio encoder folder</source>
        <translation>选择音频编码器文件夹</translation>
    </message>
    <message>
        <source>Multimodal training</source>
        <translation>多模态训练</translation>
    </message>
    <message>
        <source>Text only</source>
        <translation>仅文本</translation>
    </message>
    <message>
        <source>Projectors (stage 1)</source>
        <translation>投影器（阶段 1）</translation>
    </message>
    <message>
        <source>Projectors + adapter (stage 2)</source>
        <translation>投影器 + 适配器（阶段 2）</translation>
    </message>
    <message>
        <source>Bind network (ImageBind-LLM)</source>
        <translation>绑定网络（ImageBind-LLM）</translation>
    </message>
    <message>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Train the encoders too</source>
        <translation>同时训练编码器</translation>
    </message>
    <message>
        <source>Same as the learning rate</source>
        <translation>与学习率相同</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>A folder</source>
        <translation>文件夹</translation>
    </message>
</context>
<context>
    <name>RunEvalModel</name>
    <message>
        <source>(no group)</source>
        <translation>（无分组）</translation>
    </message>
    <message>
        <source>Perplexity: lower is better</source>
        <translation>困惑度：越低越好</translation>
    </message>
    <message>
        <source>Perplexity of the references: %1</source>
        <translation>参考答案的困惑度：%1</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>模型：%1</translation>
    </message>
    <message>
        <source>Evaluated / group</source>
        <translation>评估时间 / 分组</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>Metric</source>
        <translation>指标</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>得分</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>条目数</translation>
    </message>
</context>
<context>
    <name>RunEvals</name>
    <message>
        <source>Evaluations of run %1</source>
        <translation>运行 %1 的评估</translation>
    </message>
    <message>
        <source>Evaluations</source>
        <translation>评估</translation>
    </message>
    <message>
        <source>No evaluations yet — run atelier-cli eval --run %1 %2 --data FILE%3 to score this run&apos;s result on a test set.</source>
        <translation>尚无评估 — 运行 atelier-cli eval --run %1 %2 --data FILE%3，在测试集上为此次运行的结果打分。</translation>
    </message>
</context>
<context>
    <name>RunListModel</name>
    <message>
        <source>Queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练中</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Best eval loss</source>
        <translation>最佳验证损失</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>创建时间</translation>
    </message>
    <message>
        <source>Processes</source>
        <translation>进程数</translation>
    </message>
</context>
<context>
    <name>RunsPage</name>
    <message>
        <source>Merged model written.</source>
        <translation>已写入合并后的模型。</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>运行记录</translation>
    </message>
    <message>
        <source>Filter by model, method, dataset or status</source>
        <translation>按模型、方法、数据集或状态筛选</translation>
    </message>
    <message>
        <source>Chat with this adapter</source>
        <translation>使用此适配器对话</translation>
    </message>
    <message>
        <source>Open a chat with the base model and this run&apos;s adapter attached</source>
        <translation>打开一个加载了此运行适配器的基础模型对话</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Resume training from the run&apos;s last checkpoint</source>
        <translation>从该运行的最近检查点继续训练</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop at the end of the current step, after writing a checkpoint</source>
        <translation>在当前步结束并写入检查点后停止</translation>
    </message>
    <message>
        <source>Configuration</source>
        <translation>配置</translation>
    </message>
    <message>
        <source>Export adapter…</source>
        <translation>导出适配器…</translation>
    </message>
    <message>
        <source>Copy the adapter (safetensors; LoRA in PEFT&apos;s layout) to a folder</source>
        <translation>将适配器（safetensors；LoRA 为 PEFT 格式）复制到文件夹</translation>
    </message>
    <message>
        <source>Export merged model…</source>
        <translation>导出合并模型…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Remove the run from this list; its files stay on disk</source>
        <translation>从列表中移除该运行；其文件保留在磁盘上</translation>
    </message>
    <message>
        <source>A LLaMA-Adapter cannot be merged: its prompt tokens are an attention branch, not weights. Use it as an adapter.</source>
        <translation>LLaMA-Adapter 无法合并：它的提示词元是一个注意力分支，而不是权重。请以适配器方式使用。</translation>
    </message>
    <message>
        <source>Fold the adapter into the base weights and save a Hugging Face folder</source>
        <translation>将适配器融合进基础权重，并保存为 Hugging Face 文件夹</translation>
    </message>
    <message>
        <source>Chat with run %1</source>
        <translation>与运行 %1 对话</translation>
    </message>
    <message>
        <source>Run %1 continues from its last checkpoint.</source>
        <translation>运行 %1 将从最近的检查点继续。</translation>
    </message>
    <message>
        <source>Run %1 stops after writing a checkpoint.</source>
        <translation>运行 %1 将在写入检查点后停止。</translation>
    </message>
    <message>
        <source>Run %1 is training: stop it before deleting it.</source>
        <translation>运行 %1 正在训练：请先停止再删除。</translation>
    </message>
    <message>
        <source>Delete runs</source>
        <translation>删除运行</translation>
    </message>
    <message>
        <source>Run %1: configuration</source>
        <translation>运行 %1：配置</translation>
    </message>
    <message>
        <source>Export the adapter to</source>
        <translation>将适配器导出到</translation>
    </message>
    <message>
        <source>Adapter exported to %1</source>
        <translation>适配器已导出到 %1</translation>
    </message>
    <message>
        <source>Save the merged model in</source>
        <translation>将合并后的模型保存到</translation>
    </message>
    <message>
        <source>Remove the selected runs and their curves from the list? Their folders, checkpoints and adapters stay on disk.</source>
        <translation>从列表中移除所选运行及其曲线？它们的文件夹、检查点和适配器将保留在磁盘上。</translation>
    </message>
    <message>
        <source>Multimodal · projectors (stage 1)</source>
        <translation>多模态 · 投影器（阶段 1）</translation>
    </message>
    <message>
        <source>Multimodal · bind network</source>
        <translation>多模态 · 绑定网络</translation>
    </message>
    <message>
        <source>Multimodal · projectors + %1 (stage 2)</source>
        <translation>多模态 · 投影器 + %1（阶段 2）</translation>
    </message>
    <message>
        <source>image encoder %1</source>
        <translation>图像编码器 %1</translation>
    </message>
    <message>
        <source>audio encoder %1</source>
        <translation>音频编码器 %1</translation>
    </message>
    <message>
        <source>the model&apos;s own encoders</source>
        <translation>模型自带的编码器</translation>
    </message>
    <message>
        <source>encoders trained</source>
        <translation>编码器参与训练</translation>
    </message>
    <message>
        <source>Multimodal · stage %1 · %2</source>
        <translation>多模态 · 阶段 %1 · %2</translation>
    </message>
    <message>
        <source>Replace the adapter?</source>
        <translation>替换适配器？</translation>
    </message>
    <message>
        <source>%1 already holds an adapter. Replace its files with this run&apos;s adapter?</source>
        <translation>%1 中已有一个适配器。要用本次运行的适配器替换其中的文件吗？</translation>
    </message>
    <message>
        <source>Replace the model?</source>
        <translation>替换模型？</translation>
    </message>
    <message>
        <source>%1 already holds a model. Replace it with the merged model?</source>
        <translation>%1 中已有一个模型。要用合并后的模型替换它吗？</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Choose the data folder</source>
        <translation>选择数据文件夹</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>CPU threads</source>
        <translation>CPU 线程数</translation>
    </message>
    <message>
        <source>Weights precision</source>
        <translation>权重精度</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>数据文件夹</translation>
    </message>
    <message>
        <source>System</source>
        <translation>系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>系统语言</translation>
    </message>
    <message>
        <source>All cores (%1)</source>
        <translation>全部核心 (%1)</translation>
    </message>
    <message>
        <source>How many CPU threads the model uses. More is faster up to the number of cores.</source>
        <translation>模型使用的 CPU 线程数。在不超过核心数的范围内，越多越快。</translation>
    </message>
    <message>
        <source>Automatic (fastest this machine runs well)</source>
        <translation>自动（本机运行最快的精度）</translation>
    </message>
    <message>
        <source>32-bit float (most accurate, twice the memory)</source>
        <translation>32 位浮点（最精确，内存加倍）</translation>
    </message>
    <message>
        <source>bfloat16 (half the memory)</source>
        <translation>bfloat16（内存减半）</translation>
    </message>
    <message>
        <source>float16 (half the memory)</source>
        <translation>float16（内存减半）</translation>
    </message>
    <message>
        <source>Applies the next time a model is loaded.</source>
        <translation>下次加载模型时生效。</translation>
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
        <translation>CUDA GPU（此版本不可用）</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Set by --data-dir for this session.</source>
        <translation>本次会话由 --data-dir 指定。</translation>
    </message>
    <message>
        <source>Conversations and the model library live here. A new folder takes effect at the next start.</source>
        <translation>对话和模型库保存在这里。更换文件夹将在下次启动时生效。</translation>
    </message>
    <message>
        <source>Microphone</source>
        <translation>麦克风</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>系统默认</translation>
    </message>
    <message>
        <source>The input the Record button uses. The list is refreshed each time this page opens.</source>
        <translation>“录音”按钮使用的输入设备。每次打开此页面时都会刷新列表。</translation>
    </message>
    <message>
        <source>%1 (default)</source>
        <translation>%1（默认）</translation>
    </message>
    <message>
        <source>%1 (not connected)</source>
        <translation>%1（未连接）</translation>
    </message>
    <message>
        <source>System default (no microphone found)</source>
        <translation>系统默认（未找到麦克风）</translation>
    </message>
    <message>
        <source>Apple GPU (Metal)</source>
        <translation>Apple GPU（Metal）</translation>
    </message>
    <message>
        <source>Apple GPU (Metal; only on Apple Silicon Macs)</source>
        <translation>Apple GPU（Metal，仅限 Apple 芯片的 Mac）</translation>
    </message>
</context>
<context>
    <name>TrainPage</name>
    <message>
        <source>Base model</source>
        <translation>基础模型</translation>
    </message>
    <message>
        <source>The model the adapter is trained for (from the Models page)</source>
        <translation>适配器所针对的模型（来自“模型”页面）</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>Alpaca, ShareGPT, OpenAI messages or LLaVA, as .json or .jsonl</source>
        <translation>Alpaca、ShareGPT、OpenAI messages 或 LLaVA 格式的 .json 或 .jsonl 文件</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>Detected from the file; choose one to override</source>
        <translation>根据文件自动识别；也可手动指定</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>LoRA: low-rank updates of the projections. LLaMA-Adapter: learned prompt tokens with a zero-initialised gate. V2 adds bias, scale and norms.</source>
        <translation>LoRA：对投影层做低秩更新。LLaMA-Adapter：带零初始化门控的可学习提示词元。V2 另加偏置、缩放与归一化层。</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>训练轮数</translation>
    </message>
    <message>
        <source>Passes over the training examples</source>
        <translation>遍历训练样本的次数</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Peak learning rate, reached after the warmup, then decayed along a cosine</source>
        <translation>峰值学习率：预热后达到，随后按余弦曲线衰减</translation>
    </message>
    <message>
        <source>Warmup</source>
        <translation>预热</translation>
    </message>
    <message>
        <source>Share of the steps spent raising the learning rate from zero</source>
        <translation>学习率从零升高所占的步数比例</translation>
    </message>
    <message>
        <source>Weight decay</source>
        <translation>权重衰减</translation>
    </message>
    <message>
        <source>AdamW decay; never applied to gates, biases, scales and norms</source>
        <translation>AdamW 的衰减；不作用于门控、偏置、缩放和归一化层</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <source>Examples per forward pass; more needs more memory</source>
        <translation>每次前向传播的样本数；越大越占内存</translation>
    </message>
    <message>
        <source>Gradient accumulation</source>
        <translation>梯度累积</translation>
    </message>
    <message>
        <source>Batches added up before each optimiser step: a larger effective batch at the same memory</source>
        <translation>每次优化步之前累加的批数：在相同内存下获得更大的有效批</translation>
    </message>
    <message>
        <source>Max length</source>
        <translation>最大长度</translation>
    </message>
    <message>
        <source>Tokens per example; longer ones are cut</source>
        <translation>每个样本的词元数；超出部分会被截断</translation>
    </message>
    <message>
        <source>Eval split</source>
        <translation>验证集比例</translation>
    </message>
    <message>
        <source>Share of the examples held out to measure eval loss</source>
        <translation>留出用于计算验证损失的样本比例</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>The same seed and settings train the same adapter</source>
        <translation>相同的种子和设置会训练出相同的适配器</translation>
    </message>
    <message>
        <source>LoRA rank</source>
        <translation>LoRA 秩</translation>
    </message>
    <message>
        <source>Rank r of the low-rank update: more capacity, more parameters</source>
        <translation>低秩更新的秩 r：容量越大，参数越多</translation>
    </message>
    <message>
        <source>LoRA alpha</source>
        <translation>LoRA alpha</translation>
    </message>
    <message>
        <source>The update is scaled by alpha / r</source>
        <translation>更新量按 alpha / r 缩放</translation>
    </message>
    <message>
        <source>LoRA dropout</source>
        <translation>LoRA dropout</translation>
    </message>
    <message>
        <source>Dropout on the LoRA branch&apos;s input while training</source>
        <translation>训练时对 LoRA 分支输入施加的 dropout</translation>
    </message>
    <message>
        <source>LoRA targets</source>
        <translation>LoRA 目标层</translation>
    </message>
    <message>
        <source>Projections that get a LoRA branch, comma-separated: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj</source>
        <translation>添加 LoRA 分支的投影层，以逗号分隔：q_proj、k_proj、v_proj、o_proj、gate_proj、up_proj、down_proj</translation>
    </message>
    <message>
        <source>Prompt tokens</source>
        <translation>提示词元数</translation>
    </message>
    <message>
        <source>LLaMA-Adapter: learned tokens per adapted layer</source>
        <translation>LLaMA-Adapter：每个适配层的可学习词元数</translation>
    </message>
    <message>
        <source>Adapted layers</source>
        <translation>适配层数</translation>
    </message>
    <message>
        <source>LLaMA-Adapter: how many of the top layers get prompt tokens</source>
        <translation>LLaMA-Adapter：顶部多少层加入提示词元</translation>
    </message>
    <message>
        <source>Gradient checkpointing</source>
        <translation>梯度检查点</translation>
    </message>
    <message>
        <source>Recompute each layer during the backward pass: less memory, about a third more time</source>
        <translation>反向传播时重新计算每一层：内存更少，时间约多三分之一</translation>
    </message>
    <message>
        <source>Packing</source>
        <translation>样本打包</translation>
    </message>
    <message>
        <source>Join short examples into full-length sequences: less padding</source>
        <translation>将短样本拼接成完整长度的序列：减少填充</translation>
    </message>
    <message>
        <source>Choose a dataset</source>
        <translation>选择数据集</translation>
    </message>
    <message>
        <source>Datasets (*.json *.jsonl);;All files (*)</source>
        <translation>数据集 (*.json *.jsonl);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Chat with run %1</source>
        <translation>与运行 %1 对话</translation>
    </message>
    <message>
        <source>Train an adapter</source>
        <translation>训练适配器</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>A dataset file</source>
        <translation>数据集文件</translation>
    </message>
    <message>
        <source>Detect</source>
        <translation>自动识别</translation>
    </message>
    <message>
        <source>OpenAI messages</source>
        <translation>OpenAI messages</translation>
    </message>
    <message>
        <source>Start training</source>
        <translation>开始训练</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Stop at the end of the current step, after writing a checkpoint</source>
        <translation>在当前步结束并写入检查点后停止</translation>
    </message>
    <message>
        <source>Chat with the result</source>
        <translation>与训练结果对话</translation>
    </message>
    <message>
        <source>Choose a model and a dataset to see the trainable parameters and an estimate of memory and time.</source>
        <translation>选择模型和数据集后，即可查看可训练参数量以及内存和时间估计。</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation>%1 小时</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1 trainable parameters&lt;/b&gt; (%2% of the model) · about %3 of memory · about %4 on this CPU</source>
        <translation>&lt;b&gt;%1 个可训练参数&lt;/b&gt;（占模型的 %2%）· 约需 %3 内存 · 在本机 CPU 上约需 %4</translation>
    </message>
    <message>
        <source>Reading %1…</source>
        <translation>正在读取 %1…</translation>
    </message>
    <message>
        <source>The dataset cannot be used.</source>
        <translation>该数据集无法使用。</translation>
    </message>
    <message>
        <source>%1 format · %2 examples · %3 bad rows skipped · %4–%5 tokens (median %6), %7 cut at the max length</source>
        <translation>%1 格式 · %2 个样本 · 跳过 %3 个错误行 · %4–%5 个词元（中位数 %6），%7 个在最大长度处被截断</translation>
    </message>
    <message>
        <source>No bad rows.</source>
        <translation>没有错误行。</translation>
    </message>
    <message>
        <source>Examples</source>
        <translation>样本数</translation>
    </message>
    <message>
        <source>Run %1 started.</source>
        <translation>运行 %1 已开始。</translation>
    </message>
    <message>
        <source>Training cannot start.</source>
        <translation>无法开始训练。</translation>
    </message>
    <message>
        <source>No run yet.</source>
        <translation>尚无运行。</translation>
    </message>
    <message>
        <source>Run %1 failed.</source>
        <translation>运行 %1 失败。</translation>
    </message>
    <message>
        <source>Run %1 finished: chat with its adapter.</source>
        <translation>运行 %1 已完成：可以与其适配器对话了。</translation>
    </message>
    <message>
        <source>Run %1 ended: %2.</source>
        <translation>运行 %1 已结束：%2。</translation>
    </message>
    <message>
        <source>line %1: %2</source>
        <translation>第 %1 行：%2</translation>
    </message>
    <message>
        <source>Examples by length (tokens, up to)</source>
        <translation>按长度分布的样本数（词元数上限）</translation>
    </message>
    <message>
        <source>Run %1 · stopping after the current step…</source>
        <translation>运行 %1 · 将在当前步结束后停止…</translation>
    </message>
    <message>
        <source>Run %1 · %2 · step %3 of %4</source>
        <translation>运行 %1 · %2 · 第 %3 / %4 步</translation>
    </message>
    <message>
        <source>Run %1 · %2 · step %3 of %4 · about %5 left</source>
        <translation>运行 %1 · %2 · 第 %3 / %4 步 · 约剩 %5</translation>
    </message>
    <message>
        <source>Projectors and encoders come on top: the run counts them when it starts.</source>
        <translation>另加投影器和编码器的参数：运行开始时统计。</translation>
    </message>
    <message>
        <source>Processes</source>
        <translation>进程数</translation>
    </message>
    <message>
        <source>Training processes sharing each batch and this computer&apos;s cores; the loss curve is the same as with one. Several computers: see the README</source>
        <translation>分担每个批次和这台计算机核心的训练进程；损失曲线与单进程相同。多台计算机：请参阅 README</translation>
    </message>
</context>
<context>
    <name>Trainer</name>
    <message>
        <source>Cannot start the trainer %1.</source>
        <translation>无法启动训练程序 %1。</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Atelier cannot start</source>
        <translation>Atelier 无法启动</translation>
    </message>
    <message>
        <source>The database %1 cannot be opened.</source>
        <translation>无法打开数据库 %1。</translation>
    </message>
    <message>
        <source>It was written by a newer version of Atelier. Update Atelier, or start with another data folder (--data-dir); the file was left untouched.</source>
        <translation>它由更新版本的 Atelier 写入。请更新 Atelier，或使用其他数据文件夹启动（--data-dir）；该文件未被改动。</translation>
    </message>
</context>
</TS>
