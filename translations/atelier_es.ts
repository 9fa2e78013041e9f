<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es_ES">
<context>
    <name>AttachmentChip</name>
    <message>
        <source>Cannot play: %1</source>
        <translation>No se puede reproducir: %1</translation>
    </message>
    <message>
        <source>Frame the model sees at %1</source>
        <translation>Fotograma que ve el modelo en %1</translation>
    </message>
    <message>
        <source>Cannot be read: %1</source>
        <translation>No se puede leer: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n frame(s)</source>
        <translation>
            <numerusform>%n fotograma</numerusform>
            <numerusform>%n fotogramas</numerusform>
        </translation>
    </message>
    <message>
        <source>with sound</source>
        <translation>con sonido</translation>
    </message>
    <message>
        <source>no sound</source>
        <translation>sin sonido</translation>
    </message>
    <message>
        <source>Stop encoding (the file stays attached)</source>
        <translation>Detener la codificación (el archivo sigue adjunto)</translation>
    </message>
    <message>
        <source>encoding…</source>
        <translation>codificando…</translation>
    </message>
    <message>
        <source>Not sent: the model reads media only</source>
        <translation>No se envía: el modelo solo lee archivos multimedia</translation>
    </message>
    <message>
        <source>Not sent: this model cannot see images</source>
        <translation>No se envía: este modelo no puede ver imágenes</translation>
    </message>
    <message>
        <source>Not sent: this model cannot hear audio</source>
        <translation>No se envía: este modelo no puede oír audio</translation>
    </message>
    <message>
        <source>Not sent: this model cannot watch video</source>
        <translation>No se envía: este modelo no puede ver vídeo</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n token</numerusform>
            <numerusform>%n tokens</numerusform>
        </translation>
    </message>
    <message>
        <source>Choose a model that reads this kind of media (a LLaVA folder or an Atelier bundle) to send it.</source>
        <translation>Para enviarlo, elija un modelo que lea este tipo de contenido (una carpeta LLaVA o un paquete de Atelier).</translation>
    </message>
    <message>
        <source>Remove attachment</source>
        <translation>Quitar adjunto</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>Reproducir</translation>
    </message>
</context>
<context>
    <name>ChatController</name>
    <message>
        <source>Your conversations could not be saved.</source>
        <translation>No se han podido guardar sus conversaciones.</translation>
    </message>
    <message>
        <source>Model loading cancelled.</source>
        <translation>Se ha cancelado la carga del modelo.</translation>
    </message>
    <message>
        <source>Cannot load the model %1.</source>
        <translation>No se puede cargar el modelo %1.</translation>
    </message>
    <message>
        <source>Add a model on the Models page first.</source>
        <translation>Primero añada un modelo en la página Modelos.</translation>
    </message>
    <message>
        <source>Attachments</source>
        <translation>Adjuntos</translation>
    </message>
    <message numerus="yes">
        <source>%n attachment(s) not sent: this model cannot read them.</source>
        <translation>
            <numerusform>%n adjunto no enviado: este modelo no puede leerlo.</numerusform>
            <numerusform>%n adjuntos no enviados: este modelo no puede leerlos.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The conversation is longer than the model&apos;s context: the oldest %n message(s) were left out.</source>
        <translation>
            <numerusform>La conversación supera el contexto del modelo: se ha omitido el mensaje más antiguo.</numerusform>
            <numerusform>La conversación supera el contexto del modelo: se han omitido los %n mensajes más antiguos.</numerusform>
        </translation>
    </message>
    <message>
        <source>The model could not answer.</source>
        <translation>El modelo no ha podido responder.</translation>
    </message>
</context>
<context>
    <name>ChatPage</name>
    <message>
        <source>Rename…</source>
        <translation>Renombrar…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Eliminar</translation>
    </message>
    <message>
        <source>Cannot attach %1: the file cannot be read.</source>
        <translation>No se puede adjuntar %1: no se puede leer el archivo.</translation>
    </message>
    <message>
        <source>The pasted image could not be saved to the data folder.</source>
        <translation>No se ha podido guardar la imagen pegada en la carpeta de datos.</translation>
    </message>
    <message>
        <source>Recording failed.</source>
        <translation>La grabación ha fallado.</translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>Copiado al portapapeles.</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>Cargando %1…</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>Nuevo chat</translation>
    </message>
    <message>
        <source>Start a new conversation (%1)</source>
        <translation>Iniciar una conversación nueva (%1)</translation>
    </message>
    <message>
        <source>Search conversations (%1)</source>
        <translation>Buscar conversaciones (%1)</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportar</translation>
    </message>
    <message>
        <source>Export as Markdown…</source>
        <translation>Exportar como Markdown…</translation>
    </message>
    <message>
        <source>Export as JSON…</source>
        <translation>Exportar como JSON…</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Ajustes</translation>
    </message>
    <message>
        <source>Show or hide this conversation&apos;s settings</source>
        <translation>Mostrar u ocultar los ajustes de esta conversación</translation>
    </message>
    <message>
        <source>The model that answers in this conversation</source>
        <translation>El modelo que responde en esta conversación</translation>
    </message>
    <message>
        <source>Chat with the base model, without the adapter</source>
        <translation>Chatear con el modelo base, sin el adaptador</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>Add a model…</source>
        <translation>Añadir un modelo…</translation>
    </message>
    <message>
        <source>Cancel editing</source>
        <translation>Cancelar edición</translation>
    </message>
    <message>
        <source>Editing a message: sending replaces it and every message after it.</source>
        <translation>Editando un mensaje: al enviarlo, se sustituyen este y todos los mensajes posteriores.</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Enviar</translation>
    </message>
    <message>
        <source>Send (Enter)</source>
        <translation>Enviar (Enter)</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Detener</translation>
    </message>
    <message>
        <source>Stop the reply (Esc)</source>
        <translation>Detener la respuesta (Esc)</translation>
    </message>
    <message>
        <source>No model yet.
Add a model folder (Hugging Face, Meta or llama2.c) on the Models page to start chatting.</source>
        <translation>Aún no hay ningún modelo.
Añada una carpeta de modelo (Hugging Face, Meta o llama2.c) en la página Modelos para empezar a chatear.</translation>
    </message>
    <message>
        <source>Ask anything.
Drop images, audio or video on the window to attach them.</source>
        <translation>Pregunte lo que quiera.
Arrastre imágenes, audio o vídeo a la ventana para adjuntarlos.</translation>
    </message>
    <message>
        <source>image</source>
        <translation>imagen</translation>
    </message>
    <message>
        <source>audio</source>
        <translation>audio</translation>
    </message>
    <message>
        <source>video</source>
        <translation>vídeo</translation>
    </message>
    <message>
        <source>file</source>
        <translation>archivo</translation>
    </message>
    <message>
        <source>Attach images, audio or video</source>
        <translation>Adjuntar imágenes, audio o vídeo</translation>
    </message>
    <message>
        <source>Record a voice message (or hold %1 while typing)</source>
        <translation>Grabar un mensaje de voz (o mantenga pulsado %1 mientras escribe)</translation>
    </message>
    <message>
        <source>%1 reads text only: attachments are kept with the message but not sent to it.</source>
        <translation>%1 solo lee texto: los adjuntos se guardan con el mensaje, pero no se le envían.</translation>
    </message>
    <message>
        <source>%1 reads: %2.</source>
        <translation>%1 lee: %2.</translation>
    </message>
    <message>
        <source>%1 cannot hear: a recording is kept with the message but not sent to it.</source>
        <translation>%1 no puede oír: las grabaciones se guardan con el mensaje, pero no se le envían.</translation>
    </message>
    <message>
        <source>%1 / %2 tokens</source>
        <translation>%1 / %2 tokens</translation>
    </message>
    <message>
        <source>The conversation and your draft take %1 of the model&apos;s %2 context positions.</source>
        <translation>La conversación y su borrador ocupan %1 de las %2 posiciones de contexto del modelo.</translation>
    </message>
    <message numerus="yes">
        <source>The oldest %n message(s) will be left out to fit.</source>
        <translation>
            <numerusform>Se omitirá el mensaje más antiguo para que quepa en el contexto.</numerusform>
            <numerusform>Se omitirán los %n mensajes más antiguos para que quepa en el contexto.</numerusform>
        </translation>
    </message>
    <message>
        <source>Adapter: %1</source>
        <translation>Adaptador: %1</translation>
    </message>
    <message>
        <source>Delete conversation</source>
        <translation>Eliminar conversación</translation>
    </message>
    <message>
        <source>Delete &quot;%1&quot; and all its messages? This cannot be undone.</source>
        <translation>¿Eliminar «%1» y todos sus mensajes? Esta acción no se puede deshacer.</translation>
    </message>
    <message>
        <source>Send without the attachments?</source>
        <translation>¿Enviar sin los adjuntos?</translation>
    </message>
    <message>
        <source>%1 cannot read:
%2

They stay with your message, but the model will not see them. Send the text alone?</source>
        <translation>%1 no puede leer:
%2

Se quedan en su mensaje, pero el modelo no los verá. ¿Enviar solo el texto?</translation>
    </message>
    <message>
        <source>Send the text alone</source>
        <translation>Enviar solo el texto</translation>
    </message>
    <message>
        <source>Attach files</source>
        <translation>Adjuntar archivos</translation>
    </message>
    <message>
        <source>Media (*.png *.jpg *.jpeg *.webp *.bmp *.gif *.wav *.mp3 *.flac *.ogg *.m4a *.mp4 *.mkv *.webm *.mov *.avi);;All files (*)</source>
        <translation>Multimedia (*.png *.jpg *.jpeg *.webp *.bmp *.gif *.wav *.mp3 *.flac *.ogg *.m4a *.mp4 *.mkv *.webm *.mov *.avi);;Todos los archivos (*)</translation>
    </message>
    <message>
        <source>There is nothing to export yet.</source>
        <translation>Aún no hay nada que exportar.</translation>
    </message>
    <message>
        <source>Export conversation</source>
        <translation>Exportar conversación</translation>
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
        <translation>No se puede escribir %1: %2</translation>
    </message>
    <message>
        <source>Exported to %1</source>
        <translation>Exportado a %1</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>%1 · %2 left</source>
        <translation>%1 · quedan %2</translation>
    </message>
    <message>
        <source>Message (Enter to send, Shift+Enter for a new line, hold Ctrl+Space to talk)</source>
        <translation>Mensaje (Enter para enviar, Shift+Enter para nueva línea, mantenga Ctrl+Space para hablar)</translation>
    </message>
    <message>
        <source>This model reads text only: attachments are kept with the message, but the model does not see them.</source>
        <translation>Este modelo solo lee texto: los adjuntos se guardan con el mensaje, pero el modelo no los ve.</translation>
    </message>
    <message>
        <source>Recording</source>
        <translation>Grabando</translation>
    </message>
    <message>
        <source>Attach</source>
        <translation>Adjuntar</translation>
    </message>
    <message>
        <source>Stop recording and attach it</source>
        <translation>Detener la grabación y adjuntarla</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>Stop recording and throw it away</source>
        <translation>Detener la grabación y descartarla</translation>
    </message>
    <message>
        <source>Input level</source>
        <translation>Nivel de entrada</translation>
    </message>
</context>
<context>
    <name>ConversationListModel</name>
    <message>
        <source>%1
Last active %2</source>
        <translation>%1
Última actividad: %2</translation>
    </message>
</context>
<context>
    <name>ConversationSettingsPanel</name>
    <message>
        <source>Conversation settings</source>
        <translation>Ajustes de la conversación</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>Prompt del sistema</translation>
    </message>
    <message>
        <source>Optional instructions for the model, e.g. &quot;Answer briefly.&quot;</source>
        <translation>Instrucciones opcionales para el modelo, p. ej., «Responde brevemente.»</translation>
    </message>
    <message>
        <source>Model default</source>
        <translation>Según el modelo</translation>
    </message>
    <message>
        <source>None: continue the text</source>
        <translation>Ninguna: continuar el texto</translation>
    </message>
    <message>
        <source>Random</source>
        <translation>Aleatoria</translation>
    </message>
    <message>
        <source>Chat template</source>
        <translation>Plantilla de chat</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>Temperatura</translation>
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
        <translation>Máximo de tokens</translation>
    </message>
    <message>
        <source>Repetition penalty</source>
        <translation>Penalización por repetición</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Semilla</translation>
    </message>
    <message>
        <source>How the conversation is laid out for the model. &quot;None&quot; continues your text as written.</source>
        <translation>Cómo se presenta la conversación al modelo. «Ninguna» continúa su texto tal como está escrito.</translation>
    </message>
    <message>
        <source>Randomness: 0 always picks the most likely token; higher values are more varied.</source>
        <translation>Aleatoriedad: 0 elige siempre el token más probable; los valores más altos dan respuestas más variadas.</translation>
    </message>
    <message>
        <source>Sample only from the most likely tokens whose probabilities add up to this.</source>
        <translation>Muestrear solo entre los tokens más probables cuyas probabilidades suman este valor.</translation>
    </message>
    <message>
        <source>Sample only from this many most likely tokens (0 = no limit).</source>
        <translation>Muestrear solo entre este número de tokens más probables (0 = sin límite).</translation>
    </message>
    <message>
        <source>Drop tokens less likely than this fraction of the most likely one (0 = off).</source>
        <translation>Descartar los tokens cuya probabilidad sea menor que esta fracción de la del más probable (0 = desactivado).</translation>
    </message>
    <message>
        <source>The longest reply, in tokens.</source>
        <translation>La longitud máxima de la respuesta, en tokens.</translation>
    </message>
    <message>
        <source>Makes repeating recent tokens less likely (1 = off).</source>
        <translation>Reduce la probabilidad de repetir tokens recientes (1 = desactivado).</translation>
    </message>
    <message>
        <source>The same seed and settings give the same reply; Random picks a new one each time.</source>
        <translation>La misma semilla con los mismos ajustes da la misma respuesta; «Aleatoria» elige una nueva cada vez.</translation>
    </message>
</context>
<context>
    <name>DatasetPreviewText</name>
    <message>
        <source>Image</source>
        <translation>Imagen</translation>
    </message>
    <message>
        <source>Audio</source>
        <translation>Audio</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>Vídeo</translation>
    </message>
    <message>
        <source>%1 %2 cannot be read: %3</source>
        <translation>%1 %2 no se puede leer: %3</translation>
    </message>
    <message>
        <source>%1 %2: %3×%4 pixels</source>
        <translation>%1 %2: %3×%4 píxeles</translation>
    </message>
    <message>
        <source>%1 %2: %3 s, %4×%5, %6 frames sampled</source>
        <translation>%1 %2: %3 s, %4×%5, %6 fotogramas muestreados</translation>
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
        <translation>No se ha podido leer o escribir el archivo.</translation>
    </message>
    <message>
        <source>A file the model needs was not found.</source>
        <translation>No se ha encontrado un archivo que el modelo necesita.</translation>
    </message>
    <message>
        <source>The file is shorter than its header says: it may be incomplete.</source>
        <translation>El archivo es más corto de lo que indica su cabecera: puede estar incompleto.</translation>
    </message>
    <message>
        <source>The file&apos;s header is invalid.</source>
        <translation>La cabecera del archivo no es válida.</translation>
    </message>
    <message>
        <source>A JSON file is malformed.</source>
        <translation>Un archivo JSON está mal formado.</translation>
    </message>
    <message>
        <source>The weights use a number format Atelier does not read.</source>
        <translation>Los pesos usan un formato numérico que Atelier no lee.</translation>
    </message>
    <message>
        <source>The weights file is corrupt: a tensor lies outside the file.</source>
        <translation>El archivo de pesos está dañado: un tensor queda fuera del archivo.</translation>
    </message>
    <message>
        <source>The weights file is corrupt: two tensors overlap.</source>
        <translation>El archivo de pesos está dañado: dos tensores se solapan.</translation>
    </message>
    <message>
        <source>A tensor has the wrong size for this model.</source>
        <translation>Un tensor tiene un tamaño incorrecto para este modelo.</translation>
    </message>
    <message>
        <source>The weights are incomplete: a tensor is missing.</source>
        <translation>Los pesos están incompletos: falta un tensor.</translation>
    </message>
    <message>
        <source>This is not a model folder Atelier can read.</source>
        <translation>No es una carpeta de modelo que Atelier pueda leer.</translation>
    </message>
    <message>
        <source>This model architecture is not supported.</source>
        <translation>Esta arquitectura de modelo no es compatible.</translation>
    </message>
    <message>
        <source>The model&apos;s configuration is invalid.</source>
        <translation>La configuración del modelo no es válida.</translation>
    </message>
    <message>
        <source>The tokenizer could not be loaded.</source>
        <translation>No se ha podido cargar el tokenizador.</translation>
    </message>
    <message>
        <source>Unknown chat template.</source>
        <translation>Plantilla de chat desconocida.</translation>
    </message>
    <message>
        <source>The request is invalid.</source>
        <translation>La solicitud no es válida.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Cancelado.</translation>
    </message>
    <message>
        <source>This is not an image, audio or video file Atelier can read, or it is damaged.</source>
        <translation>No es un archivo de imagen, audio o vídeo que Atelier pueda leer, o está dañado.</translation>
    </message>
    <message>
        <source>The media file has no picture or sound of the kind needed.</source>
        <translation>El archivo multimedia no tiene imagen ni sonido del tipo necesario.</translation>
    </message>
    <message>
        <source>The media file uses a format this installation cannot decode.</source>
        <translation>El archivo multimedia usa un formato que esta instalación no puede descodificar.</translation>
    </message>
    <message>
        <source>The media file is too large or too long.</source>
        <translation>El archivo multimedia es demasiado grande o demasiado largo.</translation>
    </message>
    <message>
        <source>This model cannot read this kind of media.</source>
        <translation>Este modelo no puede leer este tipo de contenido multimedia.</translation>
    </message>
    <message>
        <source>No microphone was found. Connect one, or choose another input in Settings.</source>
        <translation>No se ha encontrado ningún micrófono. Conecte uno o elija otra entrada en Ajustes.</translation>
    </message>
    <message>
        <source>The microphone cannot be opened: another program may be using it, or it was unplugged.</source>
        <translation>No se puede abrir el micrófono: puede que otro programa lo esté usando o que se haya desconectado.</translation>
    </message>
    <message>
        <source>The microphone stopped during the recording. What was recorded until then is kept.</source>
        <translation>El micrófono se detuvo durante la grabación. Se conserva lo grabado hasta ese momento.</translation>
    </message>
    <message>
        <source>Unexpected error.</source>
        <translation>Error inesperado.</translation>
    </message>
    <message>
        <source>One of the run&apos;s training processes stopped or stopped answering, so the run ended. Its last checkpoint is kept: continue the run to resume from it.</source>
        <translation>Uno de los procesos de entrenamiento de la ejecución se detuvo o dejó de responder, así que la ejecución terminó. Se conserva su último punto de control: continúe la ejecución para reanudarla desde él.</translation>
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
        <translation>La ejecución %1 ha finalizado.</translation>
    </message>
    <message>
        <source>Run %1 failed.</source>
        <translation>La ejecución %1 ha fallado.</translation>
    </message>
    <message>
        <source>Run %1 ended.</source>
        <translation>La ejecución %1 ha terminado.</translation>
    </message>
    <message>
        <source>Longest GUI stall: %1 ms</source>
        <translation>Bloqueo más largo de la interfaz: %1 ms</translation>
    </message>
    <message>
        <source>About Atelier</source>
        <translation>Acerca de Atelier</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Atelier %1&lt;/h3&gt;&lt;p&gt;Chat with LLaMA-family models and fine-tune your own adapters, natively: C++, Qt and LibTorch, no Python.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Atelier %1&lt;/h3&gt;&lt;p&gt;Chatee con modelos de la familia LLaMA y ajuste sus propios adaptadores, de forma nativa: C++, Qt y LibTorch, sin Python.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>Chat</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelos</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>Entrenar</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>Ejecuciones</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Ajustes</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>The run store cannot be opened:
%1</source>
        <translation>No se puede abrir el registro de ejecuciones:
%1</translation>
    </message>
    <message>
        <source>%1 · %2 · %3 · context %4</source>
        <translation>%1 · %2 · %3 · contexto %4</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Archivo</translation>
    </message>
    <message>
        <source>&amp;New chat</source>
        <translation>&amp;Nuevo chat</translation>
    </message>
    <message>
        <source>&amp;Add model folder…</source>
        <translation>Añadir &amp;carpeta de modelo…</translation>
    </message>
    <message>
        <source>&amp;Export conversation…</source>
        <translation>&amp;Exportar conversación…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ver</translation>
    </message>
    <message>
        <source>&amp;Search conversations</source>
        <translation>&amp;Buscar conversaciones</translation>
    </message>
    <message>
        <source>&amp;Performance overlay</source>
        <translation>Superposición de &amp;rendimiento</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>Ay&amp;uda</translation>
    </message>
    <message>
        <source>&amp;About Atelier</source>
        <translation>&amp;Acerca de Atelier</translation>
    </message>
</context>
<context>
    <name>MediaViewer</name>
    <message>
        <source>The file is no longer there: %1</source>
        <translation>El archivo ya no está en su sitio: %1</translation>
    </message>
    <message>
        <source>This image cannot be shown here.</source>
        <translation>Esta imagen no se puede mostrar aquí.</translation>
    </message>
    <message>
        <source>Cannot play here: %1</source>
        <translation>No se puede reproducir aquí: %1</translation>
    </message>
    <message>
        <source>Open in another application</source>
        <translation>Abrir en otra aplicación</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
</context>
<context>
    <name>MessageDelegate</name>
    <message>
        <source>You</source>
        <translation>Usted</translation>
    </message>
    <message>
        <source>System</source>
        <translation>Sistema</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>Asistente</translation>
    </message>
    <message>
        <source>Generating…</source>
        <translation>Generando…</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>Detenida</translation>
    </message>
    <message>
        <source>Interrupted: the app closed before this reply finished</source>
        <translation>Interrumpida: la aplicación se cerró antes de terminar esta respuesta</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fallida</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Copiar</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Editar</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>Regenerar</translation>
    </message>
    <message>
        <source>Copy code</source>
        <translation>Copiar código</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n token</numerusform>
            <numerusform>%n tokens</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 tokens/s</source>
        <translation>%1 tokens/s</translation>
    </message>
</context>
<context>
    <name>MetricChart</name>
    <message>
        <source>Export chart</source>
        <translation>Exportar gráfico</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>Imagen PNG (*.png)</translation>
    </message>
    <message>
        <source>Export points</source>
        <translation>Exportar puntos</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>Training loss</source>
        <translation>Pérdida de entrenamiento</translation>
    </message>
    <message>
        <source>Eval loss</source>
        <translation>Pérdida de validación</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>Tasa de aprendizaje</translation>
    </message>
    <message>
        <source>Gradient norm</source>
        <translation>Norma del gradiente</translation>
    </message>
    <message>
        <source>Tokens per second</source>
        <translation>Tokens por segundo</translation>
    </message>
    <message>
        <source>Smoothing</source>
        <translation>Suavizado</translation>
    </message>
    <message>
        <source>Exponential moving average of the loss; the raw points stay visible, lighter</source>
        <translation>Media móvil exponencial de la pérdida; los puntos sin suavizar siguen visibles, más claros</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>Escala log.</translation>
    </message>
    <message>
        <source>Reset zoom</source>
        <translation>Restablecer zoom</translation>
    </message>
    <message>
        <source>Drag a rectangle to zoom in, scroll to pan along the steps, Ctrl+scroll to zoom</source>
        <translation>Arrastre un rectángulo para ampliar, use la rueda para desplazarse por los pasos y Ctrl+rueda para hacer zoom</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportar</translation>
    </message>
    <message>
        <source>Export as PNG…</source>
        <translation>Exportar como PNG…</translation>
    </message>
    <message>
        <source>Export points as CSV…</source>
        <translation>Exportar puntos como CSV…</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Paso</translation>
    </message>
    <message>
        <source>Run %1</source>
        <translation>Ejecución %1</translation>
    </message>
    <message>
        <source>run %1 · step %2 · %3</source>
        <translation>ejecución %1 · paso %2 · %3</translation>
    </message>
    <message>
        <source>Run %1 (raw)</source>
        <translation>Ejecución %1 (sin suavizar)</translation>
    </message>
    <message>
        <source>Raw</source>
        <translation>Sin suavizar</translation>
    </message>
    <message>
        <source>Run %1 (smoothed)</source>
        <translation>Ejecución %1 (suavizada)</translation>
    </message>
    <message>
        <source>Smoothed</source>
        <translation>Suavizada</translation>
    </message>
</context>
<context>
    <name>ModelsPage</name>
    <message>
        <source>Sees images</source>
        <translation>Ve imágenes</translation>
    </message>
    <message>
        <source>Hears audio</source>
        <translation>Oye audio</translation>
    </message>
    <message>
        <source>Watches video</source>
        <translation>Ve vídeo</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s) per image</source>
        <translation>
            <numerusform>%n token por imagen</numerusform>
            <numerusform>%n tokens por imagen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n token(s) per video (%1 frames)</source>
        <translation>
            <numerusform>%n token por vídeo (%1 fotogramas)</numerusform>
            <numerusform>%n tokens por vídeo (%1 fotogramas)</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 tokens per second</source>
        <translation>%1 tokens por segundo</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>Por defecto</translation>
    </message>
    <message>
        <source>%1 · %2 parameters · %3 · context %4 · template %5</source>
        <translation>%1 · %2 parámetros · %3 · contexto %4 · plantilla %5</translation>
    </message>
    <message>
        <source>%1 on disk · %2 format · %3</source>
        <translation>%1 en disco · formato %2 · %3</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelos</translation>
    </message>
    <message>
        <source>Add a Hugging Face folder (config.json + safetensors), a Meta folder (params.json + consolidated.00.pth), a llama2.c .bin file, a LLaVA-1.5 folder or an Atelier multimodal bundle (it sees, hears or watches what its badges say). You can also drop folders here. Removing a model only takes it off this list; its files stay.</source>
        <translation>Añada una carpeta de Hugging Face (config.json + safetensors), una carpeta de Meta (params.json + consolidated.00.pth), un archivo .bin de llama2.c, una carpeta LLaVA-1.5 o un paquete multimodal de Atelier (ve imágenes, oye audio o ve vídeo según indiquen sus etiquetas). También puede arrastrar carpetas aquí. Quitar un modelo solo lo saca de esta lista; sus archivos se conservan.</translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation>Añadir carpeta…</translation>
    </message>
    <message>
        <source>Add file…</source>
        <translation>Añadir archivo…</translation>
    </message>
    <message>
        <source>Set as default</source>
        <translation>Usar por defecto</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Quitar</translation>
    </message>
    <message>
        <source>Remove from the library (the files stay on disk)</source>
        <translation>Quitar de la biblioteca (los archivos se quedan en el disco)</translation>
    </message>
    <message>
        <source>Checking %1…</source>
        <translation>Comprobando %1…</translation>
    </message>
    <message>
        <source>Choose a model folder</source>
        <translation>Elegir una carpeta de modelo</translation>
    </message>
    <message>
        <source>Choose a model file</source>
        <translation>Elegir un archivo de modelo</translation>
    </message>
    <message>
        <source>Model files (*.bin *.safetensors);;All files (*)</source>
        <translation>Archivos de modelo (*.bin *.safetensors);;Todos los archivos (*)</translation>
    </message>
    <message>
        <source>%1 was not added.</source>
        <translation>No se ha añadido %1.</translation>
    </message>
</context>
<context>
    <name>MultimodalOptions</name>
    <message>
        <source>Stage</source>
        <translation>Etapa</translation>
    </message>
    <message>
        <source>Text only: the adapter learns from the text, as before. Stage 1 trains projectors that turn the encoders&apos; features into tokens of the frozen model (LLaVA, AnyMAL); stage 2 trains the projectors and the adapter above; the bind network (ImageBind-LLM) adds the media to every layer through gates that start at zero.</source>
        <translation>Solo texto: el adaptador aprende del texto, como antes. La etapa 1 entrena proyectores que convierten las características de los codificadores en tokens del modelo congelado (LLaVA, AnyMAL); la etapa 2 entrena los proyectores y el adaptador configurado arriba; la red de vinculación (ImageBind-LLM) añade el contenido multimedia a cada capa mediante compuertas que empiezan en cero.</translation>
    </message>
    <message>
        <source>Image encoder</source>
        <translation>Codificador de imagen</translation>
    </message>
    <message>
        <source>Folder of a CLIP-style vision encoder; a multimodal bundle brings its own</source>
        <translation>Carpeta de un codificador de visión tipo CLIP; un paquete multimodal trae el suyo</translation>
    </message>
    <message>
        <source>Audio encoder</source>
        <translation>Codificador de audio</translation>
    </message>
    <message>
        <source>Folder of a Whisper-style audio encoder; a multimodal bundle brings its own</source>
        <translation>Carpeta de un codificador de audio tipo Whisper; un paquete multimodal trae el suyo</translation>
    </message>
    <message>
        <source>Encoders</source>
        <translation>Codificadores</translation>
    </message>
    <message>
        <source>Unfreeze the encoders (for small encoders trained from scratch). Frozen encoders are run once per file and their features cached.</source>
        <translation>Descongelar los codificadores (para codificadores pequeños entrenados desde cero). Los codificadores congelados se ejecutan una vez por archivo y sus características se guardan en caché.</translation>
    </message>
    <message>
        <source>Video temporal module</source>
        <translation>Módulo temporal de vídeo</translation>
    </message>
    <message>
        <source>How a video&apos;s sampled frames become tokens: a Q-Former (Video-LLaMA), a space-time DCT (each frame pooled to a small grid, then the mean frame and how each cell changes over time; learns motion fast) or a Perceiver over all frames; None passes every frame on as image tokens. The bind network has none.</source>
        <translation>Cómo se convierten en tokens los fotogramas muestreados de un vídeo: un Q-Former (Video-LLaMA), una DCT espacio-temporal (cada fotograma se reduce a una cuadrícula pequeña; luego, el fotograma medio y cómo cambia cada celda con el tiempo; aprende rápido el movimiento) o un Perceiver sobre todos los fotogramas; «Ninguno» pasa cada fotograma como tokens de imagen. La red de vinculación no usa ninguno.</translation>
    </message>
    <message>
        <source>Frames per video</source>
        <translation>Fotogramas por vídeo</translation>
    </message>
    <message>
        <source>Frames sampled evenly through each video</source>
        <translation>Fotogramas muestreados de forma uniforme a lo largo de cada vídeo</translation>
    </message>
    <message>
        <source>Projector learning rate</source>
        <translation>Tasa de aprendizaje de proyectores</translation>
    </message>
    <message>
        <source>Peak learning rate of the projectors; 0 uses the learning rate above</source>
        <translation>Tasa de aprendizaje máxima de los proyectores; 0 usa la tasa de aprendizaje de arriba</translation>
    </message>
    <message>
        <source>Choose the image encoder folder</source>
        <translation>Elegir la carpeta del codificador de imagen</translation>
    </message>
    <message>
        <source>Choose the audio encoder folder</source>
        <translation>Elegir la carpeta del codificador de audio</translation>
    </message>
    <message>
        <source>Multimodal training</source>
        <translation>Entrenamiento multimodal</translation>
    </message>
    <message>
        <source>Text only</source>
        <translation>Solo texto</translation>
    </message>
    <message>
        <source>Projectors (stage 1)</source>
        <translation>Proyectores (etapa 1)</translation>
    </message>
    <message>
        <source>Projectors + adapter (stage 2)</source>
        <translation>Proyectores + adaptador (etapa 2)</translation>
    </message>
    <message>
        <source>Bind network (ImageBind-LLM)</source>
        <translation>Red de vinculación (ImageBind-LLM)</translation>
    </message>
    <message>
        <source>Space-time DCT</source>
        <translation>DCT espacio-temporal</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Ninguno</translation>
    </message>
    <message>
        <source>Train the encoders too</source>
        <translation>Entrenar también los codificadores</translation>
    </message>
    <message>
        <source>Same as the learning rate</source>
        <translation>Igual que la tasa de aprendizaje</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Examinar…</translation>
    </message>
    <message>
        <source>A folder</source>
        <translation>Una carpeta</translation>
    </message>
</context>
<context>
    <name>RunEvalModel</name>
    <message>
        <source>(no group)</source>
        <translation>(sin grupo)</translation>
    </message>
    <message>
        <source>Perplexity: lower is better</source>
        <translation>Perplejidad: cuanto más baja, mejor</translation>
    </message>
    <message>
        <source>Perplexity of the references: %1</source>
        <translation>Perplejidad de las referencias: %1</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>Modelo: %1</translation>
    </message>
    <message>
        <source>Evaluated / group</source>
        <translation>Fecha / grupo</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>Conjunto de datos</translation>
    </message>
    <message>
        <source>Metric</source>
        <translation>Métrica</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>Puntuación</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>Elementos</translation>
    </message>
</context>
<context>
    <name>RunEvals</name>
    <message>
        <source>Evaluations of run %1</source>
        <translation>Evaluaciones de la ejecución %1</translation>
    </message>
    <message>
        <source>Evaluations</source>
        <translation>Evaluaciones</translation>
    </message>
    <message>
        <source>No evaluations yet — run atelier-cli eval --run %1 %2 --data FILE%3 to score this run&apos;s result on a test set.</source>
        <translation>Aún no hay evaluaciones: ejecute atelier-cli eval --run %1 %2 --data ARCHIVO%3 para puntuar el resultado de esta ejecución en un conjunto de prueba.</translation>
    </message>
</context>
<context>
    <name>RunListModel</name>
    <message>
        <source>Queued</source>
        <translation>En cola</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>Entrenando</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>Finalizada</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>Detenida</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fallida</translation>
    </message>
    <message>
        <source>Interrupted</source>
        <translation>Interrumpida</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Ejecución</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modelo</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Método</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>Conjunto de datos</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Best eval loss</source>
        <translation>Mejor pérdida (val.)</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>Pasos</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Duración</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Creada</translation>
    </message>
    <message>
        <source>Processes</source>
        <translation>Procesos</translation>
    </message>
</context>
<context>
    <name>RunsPage</name>
    <message>
        <source>image encoder %1</source>
        <translation>codificador de imagen %1</translation>
    </message>
    <message>
        <source>audio encoder %1</source>
        <translation>codificador de audio %1</translation>
    </message>
    <message>
        <source>the model&apos;s own encoders</source>
        <translation>los codificadores del propio modelo</translation>
    </message>
    <message>
        <source>encoders trained</source>
        <translation>codificadores entrenados</translation>
    </message>
    <message>
        <source>Multimodal · stage %1 · %2</source>
        <translation>Multimodal · etapa %1 · %2</translation>
    </message>
    <message>
        <source>Multimodal · projectors (stage 1)</source>
        <translation>Multimodal · proyectores (etapa 1)</translation>
    </message>
    <message>
        <source>Multimodal · bind network</source>
        <translation>Multimodal · red de vinculación</translation>
    </message>
    <message>
        <source>Multimodal · projectors + %1 (stage 2)</source>
        <translation>Multimodal · proyectores + %1 (etapa 2)</translation>
    </message>
    <message>
        <source>Merged model written.</source>
        <translation>Modelo fusionado guardado.</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>Ejecuciones</translation>
    </message>
    <message>
        <source>Filter by model, method, dataset or status</source>
        <translation>Filtrar por modelo, método, conjunto de datos o estado</translation>
    </message>
    <message>
        <source>Chat with this adapter</source>
        <translation>Chatear con este adaptador</translation>
    </message>
    <message>
        <source>Open a chat with the base model and this run&apos;s adapter attached</source>
        <translation>Abrir un chat con el modelo base y el adaptador de esta ejecución</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>Continuar</translation>
    </message>
    <message>
        <source>Resume training from the run&apos;s last checkpoint</source>
        <translation>Reanudar el entrenamiento desde el último punto de control de la ejecución</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Detener</translation>
    </message>
    <message>
        <source>Stop at the end of the current step, after writing a checkpoint</source>
        <translation>Detener al final del paso actual, tras guardar un punto de control</translation>
    </message>
    <message>
        <source>Configuration</source>
        <translation>Configuración</translation>
    </message>
    <message>
        <source>Export adapter…</source>
        <translation>Exportar adaptador…</translation>
    </message>
    <message>
        <source>Copy the adapter (safetensors; LoRA in PEFT&apos;s layout) to a folder</source>
        <translation>Copiar el adaptador (safetensors; LoRA con la estructura de PEFT) a una carpeta</translation>
    </message>
    <message>
        <source>Export merged model…</source>
        <translation>Exportar modelo fusionado…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Eliminar</translation>
    </message>
    <message>
        <source>Remove the run from this list; its files stay on disk</source>
        <translation>Quitar la ejecución de esta lista; sus archivos se quedan en el disco</translation>
    </message>
    <message>
        <source>A LLaMA-Adapter cannot be merged: its prompt tokens are an attention branch, not weights. Use it as an adapter.</source>
        <translation>Un LLaMA-Adapter no se puede fusionar: sus tokens de prompt son una rama de atención, no pesos. Úselo como adaptador.</translation>
    </message>
    <message>
        <source>Fold the adapter into the base weights and save a Hugging Face folder</source>
        <translation>Integrar el adaptador en los pesos base y guardar una carpeta de Hugging Face</translation>
    </message>
    <message>
        <source>Chat with run %1</source>
        <translation>Chat con la ejecución %1</translation>
    </message>
    <message>
        <source>Run %1 continues from its last checkpoint.</source>
        <translation>La ejecución %1 continúa desde su último punto de control.</translation>
    </message>
    <message>
        <source>Run %1 stops after writing a checkpoint.</source>
        <translation>La ejecución %1 se detendrá tras guardar un punto de control.</translation>
    </message>
    <message>
        <source>Run %1 is training: stop it before deleting it.</source>
        <translation>La ejecución %1 está entrenando: deténgala antes de eliminarla.</translation>
    </message>
    <message>
        <source>Delete runs</source>
        <translation>Eliminar ejecuciones</translation>
    </message>
    <message>
        <source>Remove the selected runs and their curves from the list? Their folders, checkpoints and adapters stay on disk.</source>
        <translation>¿Quitar de la lista las ejecuciones seleccionadas y sus curvas? Sus carpetas, puntos de control y adaptadores se quedan en el disco.</translation>
    </message>
    <message>
        <source>Run %1: configuration</source>
        <translation>Ejecución %1: configuración</translation>
    </message>
    <message>
        <source>Export the adapter to</source>
        <translation>Exportar el adaptador a</translation>
    </message>
    <message>
        <source>Replace the adapter?</source>
        <translation>¿Reemplazar el adaptador?</translation>
    </message>
    <message>
        <source>%1 already holds an adapter. Replace its files with this run&apos;s adapter?</source>
        <translation>%1 ya contiene un adaptador. ¿Reemplazar sus archivos por el adaptador de esta ejecución?</translation>
    </message>
    <message>
        <source>Adapter exported to %1</source>
        <translation>Adaptador exportado a %1</translation>
    </message>
    <message>
        <source>Save the merged model in</source>
        <translation>Guardar el modelo fusionado en</translation>
    </message>
    <message>
        <source>Replace the model?</source>
        <translation>¿Reemplazar el modelo?</translation>
    </message>
    <message>
        <source>%1 already holds a model. Replace it with the merged model?</source>
        <translation>%1 ya contiene un modelo. ¿Reemplazarlo por el modelo fusionado?</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Choose the data folder</source>
        <translation>Elegir la carpeta de datos</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Ajustes</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Tema</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Idioma</translation>
    </message>
    <message>
        <source>CPU threads</source>
        <translation>Hilos de CPU</translation>
    </message>
    <message>
        <source>Weights precision</source>
        <translation>Precisión de los pesos</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Dispositivo</translation>
    </message>
    <message>
        <source>Microphone</source>
        <translation>Micrófono</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>Carpeta de datos</translation>
    </message>
    <message>
        <source>System</source>
        <translation>Sistema</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Claro</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Oscuro</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Idioma del sistema</translation>
    </message>
    <message>
        <source>All cores (%1)</source>
        <translation>Todos los núcleos (%1)</translation>
    </message>
    <message>
        <source>How many CPU threads the model uses. More is faster up to the number of cores.</source>
        <translation>Cuántos hilos de CPU usa el modelo. Cuantos más, más rápido, hasta el número de núcleos.</translation>
    </message>
    <message>
        <source>Automatic (fastest this machine runs well)</source>
        <translation>Automática (la más rápida que este equipo ejecuta bien)</translation>
    </message>
    <message>
        <source>32-bit float (most accurate, twice the memory)</source>
        <translation>Coma flotante de 32 bits (la más precisa, el doble de memoria)</translation>
    </message>
    <message>
        <source>bfloat16 (half the memory)</source>
        <translation>bfloat16 (la mitad de memoria)</translation>
    </message>
    <message>
        <source>float16 (half the memory)</source>
        <translation>float16 (la mitad de memoria)</translation>
    </message>
    <message>
        <source>Applies the next time a model is loaded.</source>
        <translation>Se aplica la próxima vez que se cargue un modelo.</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>CUDA GPU</source>
        <translation>GPU CUDA</translation>
    </message>
    <message>
        <source>CUDA GPU (not available in this build)</source>
        <translation>GPU CUDA (no disponible en esta compilación)</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>Predeterminado del sistema</translation>
    </message>
    <message>
        <source>The input the Record button uses. The list is refreshed each time this page opens.</source>
        <translation>La entrada que usa el botón de grabación. La lista se actualiza cada vez que se abre esta página.</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Examinar…</translation>
    </message>
    <message>
        <source>Set by --data-dir for this session.</source>
        <translation>Definida por --data-dir para esta sesión.</translation>
    </message>
    <message>
        <source>Conversations and the model library live here. A new folder takes effect at the next start.</source>
        <translation>Aquí se guardan las conversaciones y la biblioteca de modelos. Una carpeta nueva se aplica en el próximo inicio.</translation>
    </message>
    <message>
        <source>%1 (default)</source>
        <translation>%1 (predeterminado)</translation>
    </message>
    <message>
        <source>%1 (not connected)</source>
        <translation>%1 (no conectado)</translation>
    </message>
    <message>
        <source>System default (no microphone found)</source>
        <translation>Predeterminado del sistema (no se ha encontrado ningún micrófono)</translation>
    </message>
    <message>
        <source>Apple GPU (Metal)</source>
        <translation>GPU de Apple (Metal)</translation>
    </message>
    <message>
        <source>Apple GPU (Metal; only on Apple Silicon Macs)</source>
        <translation>GPU de Apple (Metal; solo en Mac con Apple Silicon)</translation>
    </message>
</context>
<context>
    <name>TrainPage</name>
    <message>
        <source>Base model</source>
        <translation>Modelo base</translation>
    </message>
    <message>
        <source>The model the adapter is trained for (from the Models page)</source>
        <translation>El modelo para el que se entrena el adaptador (de la página Modelos)</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>Conjunto de datos</translation>
    </message>
    <message>
        <source>Alpaca, ShareGPT, OpenAI messages or LLaVA, as .json or .jsonl</source>
        <translation>Alpaca, ShareGPT, mensajes de OpenAI o LLaVA, en .json o .jsonl</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>Formato</translation>
    </message>
    <message>
        <source>Detected from the file; choose one to override</source>
        <translation>Se detecta a partir del archivo; elija uno para forzarlo</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Método</translation>
    </message>
    <message>
        <source>LoRA: low-rank updates of the projections. LLaMA-Adapter: learned prompt tokens with a zero-initialised gate. V2 adds bias, scale and norms.</source>
        <translation>LoRA: actualizaciones de bajo rango de las proyecciones. LLaMA-Adapter: tokens de prompt aprendidos con una compuerta inicializada a cero. V2 añade sesgo, escala y normalizaciones.</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>Épocas</translation>
    </message>
    <message>
        <source>Passes over the training examples</source>
        <translation>Pasadas por los ejemplos de entrenamiento</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>Tasa de aprendizaje</translation>
    </message>
    <message>
        <source>Peak learning rate, reached after the warmup, then decayed along a cosine</source>
        <translation>Tasa de aprendizaje máxima, que se alcanza tras el calentamiento y luego decae siguiendo un coseno</translation>
    </message>
    <message>
        <source>Warmup</source>
        <translation>Calentamiento</translation>
    </message>
    <message>
        <source>Share of the steps spent raising the learning rate from zero</source>
        <translation>Fracción de los pasos dedicada a subir la tasa de aprendizaje desde cero</translation>
    </message>
    <message>
        <source>Weight decay</source>
        <translation>Decaimiento de pesos</translation>
    </message>
    <message>
        <source>AdamW decay; never applied to gates, biases, scales and norms</source>
        <translation>Decaimiento de AdamW; nunca se aplica a compuertas, sesgos, escalas ni normalizaciones</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>Tamaño de lote</translation>
    </message>
    <message>
        <source>Examples per forward pass; more needs more memory</source>
        <translation>Ejemplos por pasada hacia delante; más ejemplos requieren más memoria</translation>
    </message>
    <message>
        <source>Gradient accumulation</source>
        <translation>Acumulación de gradientes</translation>
    </message>
    <message>
        <source>Batches added up before each optimiser step: a larger effective batch at the same memory</source>
        <translation>Lotes que se suman antes de cada paso del optimizador: un lote efectivo mayor con la misma memoria</translation>
    </message>
    <message>
        <source>Max length</source>
        <translation>Longitud máxima</translation>
    </message>
    <message>
        <source>Tokens per example; longer ones are cut</source>
        <translation>Tokens por ejemplo; los más largos se recortan</translation>
    </message>
    <message>
        <source>Eval split</source>
        <translation>Validación</translation>
    </message>
    <message>
        <source>Share of the examples held out to measure eval loss</source>
        <translation>Fracción de los ejemplos reservada para medir la pérdida de validación</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Semilla</translation>
    </message>
    <message>
        <source>The same seed and settings train the same adapter</source>
        <translation>La misma semilla con los mismos ajustes entrena el mismo adaptador</translation>
    </message>
    <message>
        <source>LoRA rank</source>
        <translation>Rango de LoRA</translation>
    </message>
    <message>
        <source>Rank r of the low-rank update: more capacity, more parameters</source>
        <translation>Rango r de la actualización de bajo rango: más capacidad, más parámetros</translation>
    </message>
    <message>
        <source>LoRA alpha</source>
        <translation>Alpha de LoRA</translation>
    </message>
    <message>
        <source>The update is scaled by alpha / r</source>
        <translation>La actualización se escala por alpha / r</translation>
    </message>
    <message>
        <source>LoRA dropout</source>
        <translation>Dropout de LoRA</translation>
    </message>
    <message>
        <source>Dropout on the LoRA branch&apos;s input while training</source>
        <translation>Dropout en la entrada de la rama LoRA durante el entrenamiento</translation>
    </message>
    <message>
        <source>LoRA targets</source>
        <translation>Objetivos de LoRA</translation>
    </message>
    <message>
        <source>Projections that get a LoRA branch, comma-separated: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj</source>
        <translation>Proyecciones que reciben una rama LoRA, separadas por comas: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj</translation>
    </message>
    <message>
        <source>Prompt tokens</source>
        <translation>Tokens de prompt</translation>
    </message>
    <message>
        <source>LLaMA-Adapter: learned tokens per adapted layer</source>
        <translation>LLaMA-Adapter: tokens aprendidos por cada capa adaptada</translation>
    </message>
    <message>
        <source>Adapted layers</source>
        <translation>Capas adaptadas</translation>
    </message>
    <message>
        <source>LLaMA-Adapter: how many of the top layers get prompt tokens</source>
        <translation>LLaMA-Adapter: cuántas de las capas superiores reciben tokens de prompt</translation>
    </message>
    <message>
        <source>Gradient checkpointing</source>
        <translation>Puntos de control de gradiente</translation>
    </message>
    <message>
        <source>Recompute each layer during the backward pass: less memory, about a third more time</source>
        <translation>Recalcular cada capa durante la pasada hacia atrás: menos memoria, alrededor de un tercio más de tiempo</translation>
    </message>
    <message>
        <source>Packing</source>
        <translation>Empaquetado</translation>
    </message>
    <message>
        <source>Join short examples into full-length sequences: less padding</source>
        <translation>Unir ejemplos cortos en secuencias de longitud completa: menos relleno</translation>
    </message>
    <message>
        <source>Choose a dataset</source>
        <translation>Elegir un conjunto de datos</translation>
    </message>
    <message>
        <source>Datasets (*.json *.jsonl);;All files (*)</source>
        <translation>Conjuntos de datos (*.json *.jsonl);;Todos los archivos (*)</translation>
    </message>
    <message>
        <source>Chat with run %1</source>
        <translation>Chat con la ejecución %1</translation>
    </message>
    <message>
        <source>Train an adapter</source>
        <translation>Entrenar un adaptador</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Examinar…</translation>
    </message>
    <message>
        <source>A dataset file</source>
        <translation>Un archivo de conjunto de datos</translation>
    </message>
    <message>
        <source>Detect</source>
        <translation>Detectar</translation>
    </message>
    <message>
        <source>OpenAI messages</source>
        <translation>Mensajes de OpenAI</translation>
    </message>
    <message>
        <source>Start training</source>
        <translation>Iniciar entrenamiento</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Detener</translation>
    </message>
    <message>
        <source>Stop at the end of the current step, after writing a checkpoint</source>
        <translation>Detener al final del paso actual, tras guardar un punto de control</translation>
    </message>
    <message>
        <source>Chat with the result</source>
        <translation>Chatear con el resultado</translation>
    </message>
    <message>
        <source>Choose a model and a dataset to see the trainable parameters and an estimate of memory and time.</source>
        <translation>Elija un modelo y un conjunto de datos para ver los parámetros entrenables y una estimación de memoria y tiempo.</translation>
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
        <translation>&lt;b&gt;%1 parámetros entrenables&lt;/b&gt; (%2 % del modelo) · unos %3 de memoria · unos %4 en esta CPU</translation>
    </message>
    <message>
        <source>Projectors and encoders come on top: the run counts them when it starts.</source>
        <translation>Los proyectores y codificadores se suman aparte: la ejecución los cuenta al empezar.</translation>
    </message>
    <message>
        <source>Reading %1…</source>
        <translation>Leyendo %1…</translation>
    </message>
    <message>
        <source>The dataset cannot be used.</source>
        <translation>El conjunto de datos no se puede usar.</translation>
    </message>
    <message>
        <source>%1 format · %2 examples · %3 bad rows skipped · %4–%5 tokens (median %6), %7 cut at the max length</source>
        <translation>Formato %1 · %2 ejemplos · %3 filas erróneas omitidas · %4–%5 tokens (mediana %6), %7 recortados a la longitud máxima</translation>
    </message>
    <message>
        <source>line %1: %2</source>
        <translation>línea %1: %2</translation>
    </message>
    <message>
        <source>No bad rows.</source>
        <translation>No hay filas erróneas.</translation>
    </message>
    <message>
        <source>Examples</source>
        <translation>Ejemplos</translation>
    </message>
    <message>
        <source>Examples by length (tokens, up to)</source>
        <translation>Ejemplos por longitud (tokens, hasta)</translation>
    </message>
    <message>
        <source>Run %1 started.</source>
        <translation>La ejecución %1 ha comenzado.</translation>
    </message>
    <message>
        <source>Training cannot start.</source>
        <translation>No se puede iniciar el entrenamiento.</translation>
    </message>
    <message>
        <source>No run yet.</source>
        <translation>Aún no hay ninguna ejecución.</translation>
    </message>
    <message>
        <source>Run %1 · stopping after the current step…</source>
        <translation>Ejecución %1 · deteniéndose tras el paso actual…</translation>
    </message>
    <message>
        <source>Run %1 · %2 · step %3 of %4</source>
        <translation>Ejecución %1 · %2 · paso %3 de %4</translation>
    </message>
    <message>
        <source>Run %1 · %2 · step %3 of %4 · about %5 left</source>
        <translation>Ejecución %1 · %2 · paso %3 de %4 · quedan unos %5</translation>
    </message>
    <message>
        <source>Run %1 failed.</source>
        <translation>La ejecución %1 ha fallado.</translation>
    </message>
    <message>
        <source>Run %1 finished: chat with its adapter.</source>
        <translation>La ejecución %1 ha finalizado: ya puede chatear con su adaptador.</translation>
    </message>
    <message>
        <source>Run %1 ended: %2.</source>
        <translation>La ejecución %1 ha terminado: %2.</translation>
    </message>
    <message>
        <source>Processes</source>
        <translation>Procesos</translation>
    </message>
    <message>
        <source>Training processes sharing each batch and this computer&apos;s cores; the loss curve is the same as with one. Several computers: see the README</source>
        <translation>Procesos de entrenamiento que se reparten cada lote y los núcleos de este equipo; la curva de pérdida es la misma que con uno. Varios equipos: vea el README</translation>
    </message>
</context>
<context>
    <name>Trainer</name>
    <message>
        <source>Cannot start the trainer %1.</source>
        <translation>No se puede iniciar el programa de entrenamiento %1.</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>It was written by a newer version of Atelier. Update Atelier, or start with another data folder (--data-dir); the file was left untouched.</source>
        <translation>Lo escribió una versión más reciente de Atelier. Actualice Atelier o inícielo con otra carpeta de datos (--data-dir); el archivo no se ha modificado.</translation>
    </message>
    <message>
        <source>Atelier cannot start</source>
        <translation>Atelier no puede iniciarse</translation>
    </message>
    <message>
        <source>The database %1 cannot be opened.</source>
        <translation>No se puede abrir la base de datos %1.</translation>
    </message>
</context>
</TS>
