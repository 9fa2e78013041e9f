<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>AttachmentChip</name>
    <message>
        <source>Cannot play: %1</source>
        <translation>Lecture impossible&#xa0;: %1</translation>
    </message>
    <message>
        <source>Frame the model sees at %1</source>
        <translation>Image vue par le modèle à %1</translation>
    </message>
    <message>
        <source>Cannot be read: %1</source>
        <translation>Illisible&#xa0;: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n frame(s)</source>
        <translation>
            <numerusform>%n image</numerusform>
            <numerusform>%n images</numerusform>
        </translation>
    </message>
    <message>
        <source>with sound</source>
        <translation>avec son</translation>
    </message>
    <message>
        <source>no sound</source>
        <translation>sans son</translation>
    </message>
    <message>
        <source>Stop encoding (the file stays attached)</source>
        <translation>Arrêter l’encodage (le fichier reste joint)</translation>
    </message>
    <message>
        <source>encoding…</source>
        <translation>encodage…</translation>
    </message>
    <message>
        <source>Not sent: the model reads media only</source>
        <translation>Non envoyé&#xa0;: le modèle ne lit que des médias</translation>
    </message>
    <message>
        <source>Not sent: this model cannot see images</source>
        <translation>Non envoyé&#xa0;: ce modèle ne voit pas les images</translation>
    </message>
    <message>
        <source>Not sent: this model cannot hear audio</source>
        <translation>Non envoyé&#xa0;: ce modèle n’entend pas l’audio</translation>
    </message>
    <message>
        <source>Not sent: this model cannot watch video</source>
        <translation>Non envoyé&#xa0;: ce modèle ne regarde pas les vidéos</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n jeton</numerusform>
            <numerusform>%n jetons</numerusform>
        </translation>
    </message>
    <message>
        <source>Choose a model that reads this kind of media (a LLaVA folder or an Atelier bundle) to send it.</source>
        <translation>Pour l’envoyer, choisissez un modèle qui lit ce type de média (un dossier LLaVA ou un paquet Atelier).</translation>
    </message>
    <message>
        <source>Remove attachment</source>
        <translation>Retirer la pièce jointe</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>Lire</translation>
    </message>
</context>
<context>
    <name>ChatController</name>
    <message>
        <source>Your conversations could not be saved.</source>
        <translation>Impossible d’enregistrer vos conversations.</translation>
    </message>
    <message>
        <source>Model loading cancelled.</source>
        <translation>Chargement du modèle annulé.</translation>
    </message>
    <message>
        <source>Cannot load the model %1.</source>
        <translation>Impossible de charger le modèle %1.</translation>
    </message>
    <message>
        <source>Add a model on the Models page first.</source>
        <translation>Ajoutez d’abord un modèle dans la page Modèles.</translation>
    </message>
    <message>
        <source>Attachments</source>
        <translation>Pièces jointes</translation>
    </message>
    <message numerus="yes">
        <source>%n attachment(s) not sent: this model cannot read them.</source>
        <translation>
            <numerusform>%n pièce jointe non envoyée&#xa0;: ce modèle ne peut pas la lire.</numerusform>
            <numerusform>%n pièces jointes non envoyées&#xa0;: ce modèle ne peut pas les lire.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>The conversation is longer than the model&apos;s context: the oldest %n message(s) were left out.</source>
        <translation>
            <numerusform>La conversation dépasse le contexte du modèle&#xa0;: %n message, le plus ancien, a été omis.</numerusform>
            <numerusform>La conversation dépasse le contexte du modèle&#xa0;: les %n messages les plus anciens ont été omis.</numerusform>
        </translation>
    </message>
    <message>
        <source>The model could not answer.</source>
        <translation>Le modèle n’a pas pu répondre.</translation>
    </message>
</context>
<context>
    <name>ChatPage</name>
    <message>
        <source>Rename…</source>
        <translation>Renommer…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Supprimer</translation>
    </message>
    <message>
        <source>Cannot attach %1: the file cannot be read.</source>
        <translation>Impossible de joindre %1&#xa0;: le fichier est illisible.</translation>
    </message>
    <message>
        <source>The pasted image could not be saved to the data folder.</source>
        <translation>Impossible d’enregistrer l’image collée dans le dossier de données.</translation>
    </message>
    <message>
        <source>Recording failed.</source>
        <translation>Échec de l’enregistrement audio.</translation>
    </message>
    <message>
        <source>Copied to the clipboard.</source>
        <translation>Copié dans le presse-papiers.</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>Chargement de %1…</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>Nouvelle discussion</translation>
    </message>
    <message>
        <source>Start a new conversation (%1)</source>
        <translation>Commencer une nouvelle conversation (%1)</translation>
    </message>
    <message>
        <source>Search conversations (%1)</source>
        <translation>Rechercher des conversations (%1)</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exporter</translation>
    </message>
    <message>
        <source>Export as Markdown…</source>
        <translation>Exporter en Markdown…</translation>
    </message>
    <message>
        <source>Export as JSON…</source>
        <translation>Exporter en JSON…</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <source>Show or hide this conversation&apos;s settings</source>
        <translation>Afficher ou masquer les paramètres de cette conversation</translation>
    </message>
    <message>
        <source>The model that answers in this conversation</source>
        <translation>Le modèle qui répond dans cette conversation</translation>
    </message>
    <message>
        <source>Chat with the base model, without the adapter</source>
        <translation>Discuter avec le modèle de base, sans l’adaptateur</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>Add a model…</source>
        <translation>Ajouter un modèle…</translation>
    </message>
    <message>
        <source>Cancel editing</source>
        <translation>Annuler la modification</translation>
    </message>
    <message>
        <source>Editing a message: sending replaces it and every message after it.</source>
        <translation>Modification d’un message&#xa0;: l’envoi le remplace, ainsi que tous les messages suivants.</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Envoyer</translation>
    </message>
    <message>
        <source>Send (Enter)</source>
        <translation>Envoyer (Enter)</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Arrêter</translation>
    </message>
    <message>
        <source>Stop the reply (Esc)</source>
        <translation>Arrêter la réponse (Esc)</translation>
    </message>
    <message>
        <source>No model yet.
Add a model folder (Hugging Face, Meta or llama2.c) on the Models page to start chatting.</source>
        <translation>Aucun modèle pour l’instant.
Ajoutez un dossier de modèle (Hugging Face, Meta ou llama2.c) dans la page Modèles pour commencer à discuter.</translation>
    </message>
    <message>
        <source>Ask anything.
Drop images, audio or video on the window to attach them.</source>
        <translation>Posez n’importe quelle question.
Déposez des images, de l’audio ou des vidéos sur la fenêtre pour les joindre.</translation>
    </message>
    <message>
        <source>image</source>
        <translation>image</translation>
    </message>
    <message>
        <source>audio</source>
        <translation>audio</translation>
    </message>
    <message>
        <source>video</source>
        <translation>vidéo</translation>
    </message>
    <message>
        <source>file</source>
        <translation>fichier</translation>
    </message>
    <message>
        <source>Attach images, audio or video</source>
        <translation>Joindre des images, de l’audio ou des vidéos</translation>
    </message>
    <message>
        <source>Record a voice message (or hold %1 while typing)</source>
        <translation>Enregistrer un message vocal (ou maintenir %1 pendant la saisie)</translation>
    </message>
    <message>
        <source>%1 reads text only: attachments are kept with the message but not sent to it.</source>
        <translation>%1 ne lit que du texte&#xa0;: les pièces jointes restent avec le message, mais ne lui sont pas envoyées.</translation>
    </message>
    <message>
        <source>%1 reads: %2.</source>
        <translation>%1 lit&#xa0;: %2.</translation>
    </message>
    <message>
        <source>%1 cannot hear: a recording is kept with the message but not sent to it.</source>
        <translation>%1 n’entend pas&#xa0;: un enregistrement reste avec le message, mais ne lui est pas envoyé.</translation>
    </message>
    <message>
        <source>%1 / %2 tokens</source>
        <translation>%1 / %2 jetons</translation>
    </message>
    <message>
        <source>The conversation and your draft take %1 of the model&apos;s %2 context positions.</source>
        <translation>La conversation et votre brouillon occupent %1 des %2 positions de contexte du modèle.</translation>
    </message>
    <message numerus="yes">
        <source>The oldest %n message(s) will be left out to fit.</source>
        <translation>
            <numerusform>%n message, le plus ancien, sera omis pour tenir dans le contexte.</numerusform>
            <numerusform>Les %n messages les plus anciens seront omis pour tenir dans le contexte.</numerusform>
        </translation>
    </message>
    <message>
        <source>Adapter: %1</source>
        <translation>Adaptateur&#xa0;: %1</translation>
    </message>
    <message>
        <source>Delete conversation</source>
        <translation>Supprimer la conversation</translation>
    </message>
    <message>
        <source>Delete &quot;%1&quot; and all its messages? This cannot be undone.</source>
        <translation>Supprimer «&#xa0;%1&#xa0;» et tous ses messages&#xa0;? Cette action est irréversible.</translation>
    </message>
    <message>
        <source>Send without the attachments?</source>
        <translation>Envoyer sans les pièces jointes&#xa0;?</translation>
    </message>
    <message>
        <source>%1 cannot read:
%2

They stay with your message, but the model will not see them. Send the text alone?</source>
        <translation>%1 ne peut pas lire&#xa0;:
%2

Ces pièces jointes restent avec votre message, mais le modèle ne les verra pas. Envoyer le texte seul&#xa0;?</translation>
    </message>
    <message>
        <source>Send the text alone</source>
        <translation>Envoyer le texte seul</translation>
    </message>
    <message>
        <source>Attach files</source>
        <translation>Joindre des fichiers</translation>
    </message>
    <message>
        <source>Media (*.png *.jpg *.jpeg *.webp *.bmp *.gif *.wav *.mp3 *.flac *.ogg *.m4a *.mp4 *.mkv *.webm *.mov *.avi);;All files (*)</source>
        <translation>Médias (*.png *.jpg *.jpeg *.webp *.bmp *.gif *.wav *.mp3 *.flac *.ogg *.m4a *.mp4 *.mkv *.webm *.mov *.avi);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>There is nothing to export yet.</source>
        <translation>Il n’y a encore rien à exporter.</translation>
    </message>
    <message>
        <source>Export conversation</source>
        <translation>Exporter la conversation</translation>
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
        <translation>Impossible d’écrire %1&#xa0;: %2</translation>
    </message>
    <message>
        <source>Exported to %1</source>
        <translation>Exporté vers %1</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>%1 · %2 left</source>
        <translation>%1 · reste %2</translation>
    </message>
    <message>
        <source>Message (Enter to send, Shift+Enter for a new line, hold Ctrl+Space to talk)</source>
        <translation>Message (Enter pour envoyer, Shift+Enter pour un saut de ligne, maintenir Ctrl+Space pour parler)</translation>
    </message>
    <message>
        <source>This model reads text only: attachments are kept with the message, but the model does not see them.</source>
        <translation>Ce modèle ne lit que du texte&#xa0;: les pièces jointes restent avec le message, mais le modèle ne les voit pas.</translation>
    </message>
    <message>
        <source>Recording</source>
        <translation>Enregistrement</translation>
    </message>
    <message>
        <source>Attach</source>
        <translation>Joindre</translation>
    </message>
    <message>
        <source>Stop recording and attach it</source>
        <translation>Arrêter l’enregistrement et le joindre</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>Stop recording and throw it away</source>
        <translation>Arrêter l’enregistrement et le supprimer</translation>
    </message>
    <message>
        <source>Input level</source>
        <translation>Niveau d’entrée</translation>
    </message>
</context>
<context>
    <name>ConversationListModel</name>
    <message>
        <source>%1
Last active %2</source>
        <translation>%1
Dernière activité&#xa0;: %2</translation>
    </message>
</context>
<context>
    <name>ConversationSettingsPanel</name>
    <message>
        <source>Conversation settings</source>
        <translation>Paramètres de la conversation</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>Invite système</translation>
    </message>
    <message>
        <source>Optional instructions for the model, e.g. &quot;Answer briefly.&quot;</source>
        <translation>Instructions facultatives pour le modèle, par ex. «&#xa0;Réponds brièvement.&#xa0;»</translation>
    </message>
    <message>
        <source>Model default</source>
        <translation>Gabarit du modèle</translation>
    </message>
    <message>
        <source>None: continue the text</source>
        <translation>Aucun&#xa0;: continuer le texte</translation>
    </message>
    <message>
        <source>Random</source>
        <translation>Aléatoire</translation>
    </message>
    <message>
        <source>Chat template</source>
        <translation>Gabarit de conversation</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>Température</translation>
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
        <translation>Jetons max.</translation>
    </message>
    <message>
        <source>Repetition penalty</source>
        <translation>Pénalité de répétition</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Graine</translation>
    </message>
    <message>
        <source>How the conversation is laid out for the model. &quot;None&quot; continues your text as written.</source>
        <translation>La mise en forme de la conversation pour le modèle. «&#xa0;Aucun&#xa0;» continue votre texte tel quel.</translation>
    </message>
    <message>
        <source>Randomness: 0 always picks the most likely token; higher values are more varied.</source>
        <translation>Part de hasard&#xa0;: 0 choisit toujours le jeton le plus probable&#xa0;; des valeurs plus élevées donnent plus de variété.</translation>
    </message>
    <message>
        <source>Sample only from the most likely tokens whose probabilities add up to this.</source>
        <translation>Échantillonner uniquement parmi les jetons les plus probables dont les probabilités cumulées atteignent cette valeur.</translation>
    </message>
    <message>
        <source>Sample only from this many most likely tokens (0 = no limit).</source>
        <translation>Échantillonner uniquement parmi ce nombre de jetons les plus probables (0 = sans limite).</translation>
    </message>
    <message>
        <source>Drop tokens less likely than this fraction of the most likely one (0 = off).</source>
        <translation>Écarter les jetons moins probables que cette fraction de la probabilité du jeton le plus probable (0 = désactivé).</translation>
    </message>
    <message>
        <source>The longest reply, in tokens.</source>
        <translation>Longueur maximale de la réponse, en jetons.</translation>
    </message>
    <message>
        <source>Makes repeating recent tokens less likely (1 = off).</source>
        <translation>Rend moins probable la répétition des jetons récents (1 = désactivé).</translation>
    </message>
    <message>
        <source>The same seed and settings give the same reply; Random picks a new one each time.</source>
        <translation>La même graine et les mêmes paramètres donnent la même réponse&#xa0;; «&#xa0;Aléatoire&#xa0;» en tire une nouvelle à chaque fois.</translation>
    </message>
</context>
<context>
    <name>DatasetPreviewText</name>
    <message>
        <source>Image</source>
        <translation>Image</translation>
    </message>
    <message>
        <source>Audio</source>
        <translation>Audio</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>Vidéo</translation>
    </message>
    <message>
        <source>%1 %2 cannot be read: %3</source>
        <translation>%1 %2 illisible&#xa0;: %3</translation>
    </message>
    <message>
        <source>%1 %2: %3×%4 pixels</source>
        <translation>%1 %2&#xa0;: %3×%4 pixels</translation>
    </message>
    <message>
        <source>%1 %2: %3 s, %4×%5, %6 frames sampled</source>
        <translation>%1 %2&#xa0;: %3 s, %4×%5, %6 images échantillonnées</translation>
    </message>
    <message>
        <source>%1 %2: %3 s</source>
        <translation>%1 %2&#xa0;: %3 s</translation>
    </message>
</context>
<context>
    <name>EngineError</name>
    <message>
        <source>The file could not be read or written.</source>
        <translation>Impossible de lire ou d’écrire le fichier.</translation>
    </message>
    <message>
        <source>A file the model needs was not found.</source>
        <translation>Un fichier nécessaire au modèle est introuvable.</translation>
    </message>
    <message>
        <source>The file is shorter than its header says: it may be incomplete.</source>
        <translation>Le fichier est plus court que ne l’indique son en-tête&#xa0;: il est peut-être incomplet.</translation>
    </message>
    <message>
        <source>The file&apos;s header is invalid.</source>
        <translation>L’en-tête du fichier n’est pas valide.</translation>
    </message>
    <message>
        <source>A JSON file is malformed.</source>
        <translation>Un fichier JSON est mal formé.</translation>
    </message>
    <message>
        <source>The weights use a number format Atelier does not read.</source>
        <translation>Les poids utilisent un format numérique qu’Atelier ne sait pas lire.</translation>
    </message>
    <message>
        <source>The weights file is corrupt: a tensor lies outside the file.</source>
        <translation>Le fichier de poids est corrompu&#xa0;: un tenseur se trouve hors du fichier.</translation>
    </message>
    <message>
        <source>The weights file is corrupt: two tensors overlap.</source>
        <translation>Le fichier de poids est corrompu&#xa0;: deux tenseurs se chevauchent.</translation>
    </message>
    <message>
        <source>A tensor has the wrong size for this model.</source>
        <translation>Un tenseur n’a pas la bonne taille pour ce modèle.</translation>
    </message>
    <message>
        <source>The weights are incomplete: a tensor is missing.</source>
        <translation>Les poids sont incomplets&#xa0;: il manque un tenseur.</translation>
    </message>
    <message>
        <source>This is not a model folder Atelier can read.</source>
        <translation>Ce n’est pas un dossier de modèle lisible par Atelier.</translation>
    </message>
    <message>
        <source>This model architecture is not supported.</source>
        <translation>Cette architecture de modèle n’est pas prise en charge.</translation>
    </message>
    <message>
        <source>The model&apos;s configuration is invalid.</source>
        <translation>La configuration du modèle n’est pas valide.</translation>
    </message>
    <message>
        <source>The tokenizer could not be loaded.</source>
        <translation>Impossible de charger le tokeniseur.</translation>
    </message>
    <message>
        <source>Unknown chat template.</source>
        <translation>Gabarit de conversation inconnu.</translation>
    </message>
    <message>
        <source>The request is invalid.</source>
        <translation>La requête n’est pas valide.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Annulé.</translation>
    </message>
    <message>
        <source>This is not an image, audio or video file Atelier can read, or it is damaged.</source>
        <translation>Ce n’est pas un fichier image, audio ou vidéo lisible par Atelier, ou il est endommagé.</translation>
    </message>
    <message>
        <source>The media file has no picture or sound of the kind needed.</source>
        <translation>Le fichier multimédia ne contient pas l’image ou le son requis.</translation>
    </message>
    <message>
        <source>The media file uses a format this installation cannot decode.</source>
        <translation>Le fichier multimédia utilise un format que cette installation ne sait pas décoder.</translation>
    </message>
    <message>
        <source>The media file is too large or too long.</source>
        <translation>Le fichier multimédia est trop volumineux ou trop long.</translation>
    </message>
    <message>
        <source>This model cannot read this kind of media.</source>
        <translation>Ce modèle ne peut pas lire ce type de média.</translation>
    </message>
    <message>
        <source>No microphone was found. Connect one, or choose another input in Settings.</source>
        <translation>Aucun microphone trouvé. Branchez-en un ou choisissez une autre entrée dans les Paramètres.</translation>
    </message>
    <message>
        <source>The microphone cannot be opened: another program may be using it, or it was unplugged.</source>
        <translation>Impossible d’ouvrir le microphone&#xa0;: un autre programme l’utilise peut-être, ou il a été débranché.</translation>
    </message>
    <message>
        <source>The microphone stopped during the recording. What was recorded until then is kept.</source>
        <translation>Le microphone s’est arrêté pendant l’enregistrement. Ce qui a été enregistré jusque-là est conservé.</translation>
    </message>
    <message>
        <source>Unexpected error.</source>
        <translation>Erreur inattendue.</translation>
    </message>
    <message>
        <source>One of the run&apos;s training processes stopped or stopped answering, so the run ended. Its last checkpoint is kept: continue the run to resume from it.</source>
        <translation>Un des processus d’entraînement du run s’est arrêté ou ne répond plus, le run a donc pris fin. Son dernier point de contrôle est conservé&#xa0;: continuez le run pour reprendre à partir de lui.</translation>
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
        <translation>Entraînement %1 terminé.</translation>
    </message>
    <message>
        <source>Run %1 failed.</source>
        <translation>Échec de l’entraînement %1.</translation>
    </message>
    <message>
        <source>Run %1 ended.</source>
        <translation>Fin de l’entraînement %1.</translation>
    </message>
    <message>
        <source>Longest GUI stall: %1 ms</source>
        <translation>Plus long blocage de l’interface&#xa0;: %1 ms</translation>
    </message>
    <message>
        <source>About Atelier</source>
        <translation>À propos d’Atelier</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Atelier %1&lt;/h3&gt;&lt;p&gt;Chat with LLaMA-family models and fine-tune your own adapters, natively: C++, Qt and LibTorch, no Python.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Atelier %1&lt;/h3&gt;&lt;p&gt;Discutez avec des modèles de la famille LLaMA et affinez vos propres adaptateurs, en natif&#xa0;: C++, Qt et LibTorch, sans Python.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Chat</source>
        <translation>Discussion</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modèles</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>Entraîner</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>Entraînements</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>The run store cannot be opened:
%1</source>
        <translation>Impossible d’ouvrir le registre des entraînements&#xa0;:
%1</translation>
    </message>
    <message>
        <source>%1 · %2 · %3 · context %4</source>
        <translation>%1 · %2 · %3 · contexte %4</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Fichier</translation>
    </message>
    <message>
        <source>&amp;New chat</source>
        <translation>&amp;Nouvelle discussion</translation>
    </message>
    <message>
        <source>&amp;Add model folder…</source>
        <translation>&amp;Ajouter un dossier de modèle…</translation>
    </message>
    <message>
        <source>&amp;Export conversation…</source>
        <translation>&amp;Exporter la conversation…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quitter</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Affichage</translation>
    </message>
    <message>
        <source>&amp;Search conversations</source>
        <translation>&amp;Rechercher des conversations</translation>
    </message>
    <message>
        <source>&amp;Performance overlay</source>
        <translation>Surcouche de &amp;performances</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>Aid&amp;e</translation>
    </message>
    <message>
        <source>&amp;About Atelier</source>
        <translation>À &amp;propos d’Atelier</translation>
    </message>
</context>
<context>
    <name>MediaViewer</name>
    <message>
        <source>The file is no longer there: %1</source>
        <translation>Le fichier n’est plus là&#xa0;: %1</translation>
    </message>
    <message>
        <source>This image cannot be shown here.</source>
        <translation>Impossible d’afficher cette image ici.</translation>
    </message>
    <message>
        <source>Cannot play here: %1</source>
        <translation>Lecture impossible ici&#xa0;: %1</translation>
    </message>
    <message>
        <source>Open in another application</source>
        <translation>Ouvrir dans une autre application</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
</context>
<context>
    <name>MessageDelegate</name>
    <message>
        <source>You</source>
        <translation>Vous</translation>
    </message>
    <message>
        <source>System</source>
        <translation>Système</translation>
    </message>
    <message>
        <source>Assistant</source>
        <translation>Assistant</translation>
    </message>
    <message>
        <source>Generating…</source>
        <translation>Génération…</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>Arrêtée</translation>
    </message>
    <message>
        <source>Interrupted: the app closed before this reply finished</source>
        <translation>Interrompue&#xa0;: l’application s’est fermée avant la fin de cette réponse</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Échec</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Copier</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Modifier</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>Régénérer</translation>
    </message>
    <message>
        <source>Copy code</source>
        <translation>Copier le code</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s)</source>
        <translation>
            <numerusform>%n jeton</numerusform>
            <numerusform>%n jetons</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 tokens/s</source>
        <translation>%1 jetons/s</translation>
    </message>
</context>
<context>
    <name>MetricChart</name>
    <message>
        <source>Export chart</source>
        <translation>Exporter le graphique</translation>
    </message>
    <message>
        <source>PNG image (*.png)</source>
        <translation>Image PNG (*.png)</translation>
    </message>
    <message>
        <source>Export points</source>
        <translation>Exporter les points</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>Training loss</source>
        <translation>Perte d’entraînement</translation>
    </message>
    <message>
        <source>Eval loss</source>
        <translation>Perte d’évaluation</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>Taux d’apprentissage</translation>
    </message>
    <message>
        <source>Gradient norm</source>
        <translation>Norme du gradient</translation>
    </message>
    <message>
        <source>Tokens per second</source>
        <translation>Jetons par seconde</translation>
    </message>
    <message>
        <source>Smoothing</source>
        <translation>Lissage</translation>
    </message>
    <message>
        <source>Exponential moving average of the loss; the raw points stay visible, lighter</source>
        <translation>Moyenne mobile exponentielle de la perte&#xa0;; les points bruts restent visibles, plus clairs</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>Échelle log</translation>
    </message>
    <message>
        <source>Reset zoom</source>
        <translation>Annuler le zoom</translation>
    </message>
    <message>
        <source>Drag a rectangle to zoom in, scroll to pan along the steps, Ctrl+scroll to zoom</source>
        <translation>Tracez un rectangle pour zoomer, faites défiler pour parcourir les étapes, Ctrl+molette pour zoomer</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exporter</translation>
    </message>
    <message>
        <source>Export as PNG…</source>
        <translation>Exporter en PNG…</translation>
    </message>
    <message>
        <source>Export points as CSV…</source>
        <translation>Exporter les points en CSV…</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Étape</translation>
    </message>
    <message>
        <source>Run %1</source>
        <translation>Entraînement %1</translation>
    </message>
    <message>
        <source>run %1 · step %2 · %3</source>
        <translation>entraînement %1 · étape %2 · %3</translation>
    </message>
    <message>
        <source>Run %1 (raw)</source>
        <translation>Entraînement %1 (brut)</translation>
    </message>
    <message>
        <source>Raw</source>
        <translation>Brut</translation>
    </message>
    <message>
        <source>Run %1 (smoothed)</source>
        <translation>Entraînement %1 (lissé)</translation>
    </message>
    <message>
        <source>Smoothed</source>
        <translation>Lissé</translation>
    </message>
</context>
<context>
    <name>ModelsPage</name>
    <message>
        <source>Sees images</source>
        <translation>Voit les images</translation>
    </message>
    <message>
        <source>Hears audio</source>
        <translation>Entend l’audio</translation>
    </message>
    <message>
        <source>Watches video</source>
        <translation>Regarde les vidéos</translation>
    </message>
    <message numerus="yes">
        <source>%n token(s) per image</source>
        <translation>
            <numerusform>%n jeton par image</numerusform>
            <numerusform>%n jetons par image</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n token(s) per video (%1 frames)</source>
        <translation>
            <numerusform>%n jeton par vidéo (%1 images)</numerusform>
            <numerusform>%n jetons par vidéo (%1 images)</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 tokens per second</source>
        <translation>%1 jetons par seconde</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>Par défaut</translation>
    </message>
    <message>
        <source>%1 · %2 parameters · %3 · context %4 · template %5</source>
        <translation>%1 · %2 paramètres · %3 · contexte %4 · gabarit %5</translation>
    </message>
    <message>
        <source>%1 on disk · %2 format · %3</source>
        <translation>%1 sur disque · format %2 · %3</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modèles</translation>
    </message>
    <message>
        <source>Add a Hugging Face folder (config.json + safetensors), a Meta folder (params.json + consolidated.00.pth), a llama2.c .bin file, a LLaVA-1.5 folder or an Atelier multimodal bundle (it sees, hears or watches what its badges say). You can also drop folders here. Removing a model only takes it off this list; its files stay.</source>
        <translation>Ajoutez un dossier Hugging Face (config.json + safetensors), un dossier Meta (params.json + consolidated.00.pth), un fichier .bin llama2.c, un dossier LLaVA-1.5 ou un paquet multimodal Atelier (il voit, entend ou regarde ce qu’indiquent ses badges). Vous pouvez aussi déposer des dossiers ici. Retirer un modèle ne fait que l’enlever de cette liste&#xa0;: ses fichiers sont conservés.</translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation>Ajouter un dossier…</translation>
    </message>
    <message>
        <source>Add file…</source>
        <translation>Ajouter un fichier…</translation>
    </message>
    <message>
        <source>Set as default</source>
        <translation>Définir par défaut</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Retirer</translation>
    </message>
    <message>
        <source>Remove from the library (the files stay on disk)</source>
        <translation>Retirer de la bibliothèque (les fichiers restent sur le disque)</translation>
    </message>
    <message>
        <source>Checking %1…</source>
        <translation>Vérification de %1…</translation>
    </message>
    <message>
        <source>Choose a model folder</source>
        <translation>Choisir un dossier de modèle</translation>
    </message>
    <message>
        <source>Choose a model file</source>
        <translation>Choisir un fichier de modèle</translation>
    </message>
    <message>
        <source>Model files (*.bin *.safetensors);;All files (*)</source>
        <translation>Fichiers de modèle (*.bin *.safetensors);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>%1 was not added.</source>
        <translation>%1 n’a pas été ajouté.</translation>
    </message>
</context>
<context>
    <name>MultimodalOptions</name>
    <message>
        <source>Stage</source>
        <translation>Phase</translation>
    </message>
    <message>
        <source>Text only: the adapter learns from the text, as before. Stage 1 trains projectors that turn the encoders&apos; features into tokens of the frozen model (LLaVA, AnyMAL); stage 2 trains the projectors and the adapter above; the bind network (ImageBind-LLM) adds the media to every layer through gates that start at zero.</source>
        <translation>Texte seul&#xa0;: l’adaptateur apprend à partir du texte, comme avant. La phase 1 entraîne des projecteurs qui transforment les caractéristiques des encodeurs en jetons du modèle gelé (LLaVA, AnyMAL)&#xa0;; la phase 2 entraîne les projecteurs et l’adaptateur ci-dessus&#xa0;; le réseau de liaison (ImageBind-LLM) ajoute les médias à chaque couche par des portes qui partent de zéro.</translation>
    </message>
    <message>
        <source>Image encoder</source>
        <translation>Encodeur d’images</translation>
    </message>
    <message>
        <source>Folder of a CLIP-style vision encoder; a multimodal bundle brings its own</source>
        <translation>Dossier d’un encodeur visuel de type CLIP&#xa0;; un paquet multimodal fournit le sien</translation>
    </message>
    <message>
        <source>Audio encoder</source>
        <translation>Encodeur audio</translation>
    </message>
    <message>
        <source>Folder of a Whisper-style audio encoder; a multimodal bundle brings its own</source>
        <translation>Dossier d’un encodeur audio de type Whisper&#xa0;; un paquet multimodal fournit le sien</translation>
    </message>
    <message>
        <source>Encoders</source>
        <translation>Encodeurs</translation>
    </message>
    <message>
        <source>Unfreeze the encoders (for small encoders trained from scratch). Frozen encoders are run once per file and their features cached.</source>
        <translation>Dégeler les encodeurs (pour de petits encodeurs entraînés de zéro). Les encodeurs gelés ne s’exécutent qu’une fois par fichier et leurs caractéristiques sont mises en cache.</translation>
    </message>
    <message>
        <source>Video temporal module</source>
        <translation>Module temporel vidéo</translation>
    </message>
    <message>
        <source>How a video&apos;s sampled frames become tokens: a Q-Former (Video-LLaMA), a space-time DCT (each frame pooled to a small grid, then the mean frame and how each cell changes over time; learns motion fast) or a Perceiver over all frames; None passes every frame on as image tokens. The bind network has none.</source>
        <translation>Comment les images échantillonnées d’une vidéo deviennent des jetons&#xa0;: un Q-Former (Video-LLaMA), une DCT spatio-temporelle (chaque image réduite à une petite grille, puis l’image moyenne et l’évolution de chaque case dans le temps&#xa0;; apprend vite le mouvement) ou un Perceiver sur toutes les images&#xa0;; «&#xa0;Aucun&#xa0;» transmet chaque image telle quelle sous forme de jetons d’image. Le réseau de liaison n’en utilise aucun.</translation>
    </message>
    <message>
        <source>Frames per video</source>
        <translation>Images par vidéo</translation>
    </message>
    <message>
        <source>Frames sampled evenly through each video</source>
        <translation>Images échantillonnées à intervalles réguliers dans chaque vidéo</translation>
    </message>
    <message>
        <source>Projector learning rate</source>
        <translation>Taux d’apprentissage des projecteurs</translation>
    </message>
    <message>
        <source>Peak learning rate of the projectors; 0 uses the learning rate above</source>
        <translation>Taux d’apprentissage maximal des projecteurs&#xa0;; 0 reprend le taux d’apprentissage ci-dessus</translation>
    </message>
    <message>
        <source>Choose the image encoder folder</source>
        <translation>Choisir le dossier de l’encodeur d’images</translation>
    </message>
    <message>
        <source>Choose the audio encoder folder</source>
        <translation>Choisir le dossier de l’encodeur audio</translation>
    </message>
    <message>
        <source>Multimodal training</source>
        <translation>Entraînement multimodal</translation>
    </message>
    <message>
        <source>Text only</source>
        <translation>Texte seul</translation>
    </message>
    <message>
        <source>Projectors (stage 1)</source>
        <translation>Projecteurs (phase 1)</translation>
    </message>
    <message>
        <source>Projectors + adapter (stage 2)</source>
        <translation>Projecteurs + adaptateur (phase 2)</translation>
    </message>
    <message>
        <source>Bind network (ImageBind-LLM)</source>
        <translation>Réseau de liaison (ImageBind-LLM)</translation>
    </message>
    <message>
        <source>Space-time DCT</source>
        <translation>DCT spatio-temporelle</translation>
    </message>
    <message>
        <source>None</source>
        <translation>Aucun</translation>
    </message>
    <message>
        <source>Train the encoders too</source>
        <translation>Entraîner aussi les encodeurs</translation>
    </message>
    <message>
        <source>Same as the learning rate</source>
        <translation>Identique au taux d’apprentissage</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Parcourir…</translation>
    </message>
    <message>
        <source>A folder</source>
        <translation>Un dossier</translation>
    </message>
</context>
<context>
    <name>RunEvalModel</name>
    <message>
        <source>(no group)</source>
        <translation>(sans groupe)</translation>
    </message>
    <message>
        <source>Perplexity: lower is better</source>
        <translation>Perplexité&#xa0;: plus elle est basse, mieux c’est</translation>
    </message>
    <message>
        <source>Perplexity of the references: %1</source>
        <translation>Perplexité des références&#xa0;: %1</translation>
    </message>
    <message>
        <source>Model: %1</source>
        <translation>Modèle&#xa0;: %1</translation>
    </message>
    <message>
        <source>Evaluated / group</source>
        <translation>Date / groupe</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>Jeu de données</translation>
    </message>
    <message>
        <source>Metric</source>
        <translation>Métrique</translation>
    </message>
    <message>
        <source>Score</source>
        <translation>Score</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>Éléments</translation>
    </message>
</context>
<context>
    <name>RunEvals</name>
    <message>
        <source>Evaluations of run %1</source>
        <translation>Évaluations de l’entraînement %1</translation>
    </message>
    <message>
        <source>Evaluations</source>
        <translation>Évaluations</translation>
    </message>
    <message>
        <source>No evaluations yet — run atelier-cli eval --run %1 %2 --data FILE%3 to score this run&apos;s result on a test set.</source>
        <translation>Aucune évaluation pour l’instant — exécutez atelier-cli eval --run %1 %2 --data FICHIER%3 pour noter le résultat de cet entraînement sur un jeu de test.</translation>
    </message>
</context>
<context>
    <name>RunListModel</name>
    <message>
        <source>Queued</source>
        <translation>En attente</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>En cours</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>Terminé</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>Arrêté</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Échec</translation>
    </message>
    <message>
        <source>Interrupted</source>
        <translation>Interrompu</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>N°</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modèle</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Méthode</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>Jeu de données</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Best eval loss</source>
        <translation>Meilleure perte d’éval.</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>Étapes</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Durée</translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Créé le</translation>
    </message>
    <message>
        <source>Processes</source>
        <translation>Processus</translation>
    </message>
</context>
<context>
    <name>RunsPage</name>
    <message>
        <source>image encoder %1</source>
        <translation>encodeur d’images %1</translation>
    </message>
    <message>
        <source>audio encoder %1</source>
        <translation>encodeur audio %1</translation>
    </message>
    <message>
        <source>the model&apos;s own encoders</source>
        <translation>encodeurs propres au modèle</translation>
    </message>
    <message>
        <source>encoders trained</source>
        <translation>encodeurs entraînés</translation>
    </message>
    <message>
        <source>Multimodal · stage %1 · %2</source>
        <translation>Multimodal · phase %1 · %2</translation>
    </message>
    <message>
        <source>Multimodal · projectors (stage 1)</source>
        <translation>Multimodal · projecteurs (phase 1)</translation>
    </message>
    <message>
        <source>Multimodal · bind network</source>
        <translation>Multimodal · réseau de liaison</translation>
    </message>
    <message>
        <source>Multimodal · projectors + %1 (stage 2)</source>
        <translation>Multimodal · projecteurs + %1 (phase 2)</translation>
    </message>
    <message>
        <source>Merged model written.</source>
        <translation>Modèle fusionné enregistré.</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>Entraînements</translation>
    </message>
    <message>
        <source>Filter by model, method, dataset or status</source>
        <translation>Filtrer par modèle, méthode, jeu de données ou état</translation>
    </message>
    <message>
        <source>Chat with this adapter</source>
        <translation>Discuter avec cet adaptateur</translation>
    </message>
    <message>
        <source>Open a chat with the base model and this run&apos;s adapter attached</source>
        <translation>Ouvrir une discussion avec le modèle de base muni de l’adaptateur de cet entraînement</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>Reprendre</translation>
    </message>
    <message>
        <source>Resume training from the run&apos;s last checkpoint</source>
        <translation>Reprendre l’entraînement à partir de son dernier point de contrôle</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Arrêter</translation>
    </message>
    <message>
        <source>Stop at the end of the current step, after writing a checkpoint</source>
        <translation>Arrêter à la fin de l’étape en cours, après l’écriture d’un point de contrôle</translation>
    </message>
    <message>
        <source>Configuration</source>
        <translation>Configuration</translation>
    </message>
    <message>
        <source>Export adapter…</source>
        <translation>Exporter l’adaptateur…</translation>
    </message>
    <message>
        <source>Copy the adapter (safetensors; LoRA in PEFT&apos;s layout) to a folder</source>
        <translation>Copier l’adaptateur (safetensors&#xa0;; LoRA au format PEFT) dans un dossier</translation>
    </message>
    <message>
        <source>Export merged model…</source>
        <translation>Exporter le modèle fusionné…</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Supprimer</translation>
    </message>
    <message>
        <source>Remove the run from this list; its files stay on disk</source>
        <translation>Retirer l’entraînement de cette liste&#xa0;; ses fichiers restent sur le disque</translation>
    </message>
    <message>
        <source>A LLaMA-Adapter cannot be merged: its prompt tokens are an attention branch, not weights. Use it as an adapter.</source>
        <translation>Un LLaMA-Adapter ne peut pas être fusionné&#xa0;: ses jetons d’invite forment une branche d’attention, pas des poids. Utilisez-le comme adaptateur.</translation>
    </message>
    <message>
        <source>Fold the adapter into the base weights and save a Hugging Face folder</source>
        <translation>Intégrer l’adaptateur aux poids de base et enregistrer un dossier Hugging Face</translation>
    </message>
    <message>
        <source>Chat with run %1</source>
        <translation>Discuter avec l’entraînement %1</translation>
    </message>
    <message>
        <source>Run %1 continues from its last checkpoint.</source>
        <translation>L’entraînement %1 reprend à partir de son dernier point de contrôle.</translation>
    </message>
    <message>
        <source>Run %1 stops after writing a checkpoint.</source>
        <translation>L’entraînement %1 s’arrêtera après l’écriture d’un point de contrôle.</translation>
    </message>
    <message>
        <source>Run %1 is training: stop it before deleting it.</source>
        <translation>L’entraînement %1 est en cours&#xa0;: arrêtez-le avant de le supprimer.</translation>
    </message>
    <message>
        <source>Delete runs</source>
        <translation>Supprimer les entraînements</translation>
    </message>
    <message>
        <source>Remove the selected runs and their curves from the list? Their folders, checkpoints and adapters stay on disk.</source>
        <translation>Retirer de la liste les entraînements sélectionnés et leurs courbes&#xa0;? Leurs dossiers, points de contrôle et adaptateurs restent sur le disque.</translation>
    </message>
    <message>
        <source>Run %1: configuration</source>
        <translation>Entraînement %1&#xa0;: configuration</translation>
    </message>
    <message>
        <source>Export the adapter to</source>
        <translation>Exporter l’adaptateur vers</translation>
    </message>
    <message>
        <source>Replace the adapter?</source>
        <translation>Remplacer l’adaptateur&#xa0;?</translation>
    </message>
    <message>
        <source>%1 already holds an adapter. Replace its files with this run&apos;s adapter?</source>
        <translation>%1 contient déjà un adaptateur. Remplacer ses fichiers par l’adaptateur de cet entraînement&#xa0;?</translation>
    </message>
    <message>
        <source>Adapter exported to %1</source>
        <translation>Adaptateur exporté vers %1</translation>
    </message>
    <message>
        <source>Save the merged model in</source>
        <translation>Enregistrer le modèle fusionné dans</translation>
    </message>
    <message>
        <source>Replace the model?</source>
        <translation>Remplacer le modèle&#xa0;?</translation>
    </message>
    <message>
        <source>%1 already holds a model. Replace it with the merged model?</source>
        <translation>%1 contient déjà un modèle. Le remplacer par le modèle fusionné&#xa0;?</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Choose the data folder</source>
        <translation>Choisir le dossier de données</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Paramètres</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Thème</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Langue</translation>
    </message>
    <message>
        <source>CPU threads</source>
        <translation>Threads CPU</translation>
    </message>
    <message>
        <source>Weights precision</source>
        <translation>Précision des poids</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Périphérique</translation>
    </message>
    <message>
        <source>Microphone</source>
        <translation>Microphone</translation>
    </message>
    <message>
        <source>Data folder</source>
        <translation>Dossier de données</translation>
    </message>
    <message>
        <source>System</source>
        <translation>Système</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Clair</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Sombre</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Langue du système</translation>
    </message>
    <message>
        <source>All cores (%1)</source>
        <translation>Tous les cœurs (%1)</translation>
    </message>
    <message>
        <source>How many CPU threads the model uses. More is faster up to the number of cores.</source>
        <translation>Nombre de threads CPU utilisés par le modèle. Plus il y en a, plus c’est rapide, jusqu’au nombre de cœurs.</translation>
    </message>
    <message>
        <source>Automatic (fastest this machine runs well)</source>
        <translation>Automatique (la plus rapide que cette machine gère bien)</translation>
    </message>
    <message>
        <source>32-bit float (most accurate, twice the memory)</source>
        <translation>Flottant 32 bits (le plus précis, deux fois plus de mémoire)</translation>
    </message>
    <message>
        <source>bfloat16 (half the memory)</source>
        <translation>bfloat16 (moitié moins de mémoire)</translation>
    </message>
    <message>
        <source>float16 (half the memory)</source>
        <translation>float16 (moitié moins de mémoire)</translation>
    </message>
    <message>
        <source>Applies the next time a model is loaded.</source>
        <translation>S’applique au prochain chargement d’un modèle.</translation>
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
        <translation>GPU CUDA (indisponible dans cette version)</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>Par défaut du système</translation>
    </message>
    <message>
        <source>The input the Record button uses. The list is refreshed each time this page opens.</source>
        <translation>L’entrée utilisée par le bouton d’enregistrement. La liste est actualisée à chaque ouverture de cette page.</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Parcourir…</translation>
    </message>
    <message>
        <source>Set by --data-dir for this session.</source>
        <translation>Défini par --data-dir pour cette session.</translation>
    </message>
    <message>
        <source>Conversations and the model library live here. A new folder takes effect at the next start.</source>
        <translation>Les conversations et la bibliothèque de modèles sont stockées ici. Un nouveau dossier prend effet au prochain démarrage.</translation>
    </message>
    <message>
        <source>%1 (default)</source>
        <translation>%1 (par défaut)</translation>
    </message>
    <message>
        <source>%1 (not connected)</source>
        <translation>%1 (non connecté)</translation>
    </message>
    <message>
        <source>System default (no microphone found)</source>
        <translation>Par défaut du système (aucun microphone trouvé)</translation>
    </message>
    <message>
        <source>Apple GPU (Metal)</source>
        <translation>GPU Apple (Metal)</translation>
    </message>
    <message>
        <source>Apple GPU (Metal; only on Apple Silicon Macs)</source>
        <translation>GPU Apple (Metal&#xa0;; uniquement sur les Mac Apple Silicon)</translation>
    </message>
</context>
<context>
    <name>TrainPage</name>
    <message>
        <source>Base model</source>
        <translation>Modèle de base</translation>
    </message>
    <message>
        <source>The model the adapter is trained for (from the Models page)</source>
        <translation>Le modèle pour lequel l’adaptateur est entraîné (depuis la page Modèles)</translation>
    </message>
    <message>
        <source>Dataset</source>
        <translation>Jeu de données</translation>
    </message>
    <message>
        <source>Alpaca, ShareGPT, OpenAI messages or LLaVA, as .json or .jsonl</source>
        <translation>Alpaca, ShareGPT, OpenAI messages ou LLaVA, en .json ou .jsonl</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>Format</translation>
    </message>
    <message>
        <source>Detected from the file; choose one to override</source>
        <translation>Détecté à partir du fichier&#xa0;; choisissez-en un pour l’imposer</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Méthode</translation>
    </message>
    <message>
        <source>LoRA: low-rank updates of the projections. LLaMA-Adapter: learned prompt tokens with a zero-initialised gate. V2 adds bias, scale and norms.</source>
        <translation>LoRA&#xa0;: mises à jour de rang faible des projections. LLaMA-Adapter&#xa0;: jetons d’invite appris avec une porte initialisée à zéro. V2 ajoute biais, échelles et normalisations.</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>Époques</translation>
    </message>
    <message>
        <source>Passes over the training examples</source>
        <translation>Nombre de passages sur les exemples d’entraînement</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>Taux d’apprentissage</translation>
    </message>
    <message>
        <source>Peak learning rate, reached after the warmup, then decayed along a cosine</source>
        <translation>Taux d’apprentissage maximal, atteint après le préchauffage, puis décroissant selon un cosinus</translation>
    </message>
    <message>
        <source>Warmup</source>
        <translation>Préchauffage</translation>
    </message>
    <message>
        <source>Share of the steps spent raising the learning rate from zero</source>
        <translation>Part des étapes consacrée à faire monter le taux d’apprentissage depuis zéro</translation>
    </message>
    <message>
        <source>Weight decay</source>
        <translation>Décroissance des poids</translation>
    </message>
    <message>
        <source>AdamW decay; never applied to gates, biases, scales and norms</source>
        <translation>Décroissance AdamW&#xa0;; jamais appliquée aux portes, biais, échelles et normalisations</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>Taille de lot</translation>
    </message>
    <message>
        <source>Examples per forward pass; more needs more memory</source>
        <translation>Exemples par passe avant&#xa0;; plus il y en a, plus il faut de mémoire</translation>
    </message>
    <message>
        <source>Gradient accumulation</source>
        <translation>Accumulation de gradient</translation>
    </message>
    <message>
        <source>Batches added up before each optimiser step: a larger effective batch at the same memory</source>
        <translation>Lots cumulés avant chaque étape de l’optimiseur&#xa0;: un lot effectif plus grand pour la même mémoire</translation>
    </message>
    <message>
        <source>Max length</source>
        <translation>Longueur max.</translation>
    </message>
    <message>
        <source>Tokens per example; longer ones are cut</source>
        <translation>Jetons par exemple&#xa0;; les exemples plus longs sont tronqués</translation>
    </message>
    <message>
        <source>Eval split</source>
        <translation>Part d’évaluation</translation>
    </message>
    <message>
        <source>Share of the examples held out to measure eval loss</source>
        <translation>Part des exemples mis de côté pour mesurer la perte d’évaluation</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>Graine</translation>
    </message>
    <message>
        <source>The same seed and settings train the same adapter</source>
        <translation>La même graine et les mêmes paramètres entraînent le même adaptateur</translation>
    </message>
    <message>
        <source>LoRA rank</source>
        <translation>Rang LoRA</translation>
    </message>
    <message>
        <source>Rank r of the low-rank update: more capacity, more parameters</source>
        <translation>Rang r de la mise à jour de rang faible&#xa0;: plus de capacité, plus de paramètres</translation>
    </message>
    <message>
        <source>LoRA alpha</source>
        <translation>Alpha LoRA</translation>
    </message>
    <message>
        <source>The update is scaled by alpha / r</source>
        <translation>La mise à jour est multipliée par alpha / r</translation>
    </message>
    <message>
        <source>LoRA dropout</source>
        <translation>Dropout LoRA</translation>
    </message>
    <message>
        <source>Dropout on the LoRA branch&apos;s input while training</source>
        <translation>Dropout sur l’entrée de la branche LoRA pendant l’entraînement</translation>
    </message>
    <message>
        <source>LoRA targets</source>
        <translation>Cibles LoRA</translation>
    </message>
    <message>
        <source>Projections that get a LoRA branch, comma-separated: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj</source>
        <translation>Projections qui reçoivent une branche LoRA, séparées par des virgules&#xa0;: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj</translation>
    </message>
    <message>
        <source>Prompt tokens</source>
        <translation>Jetons d’invite</translation>
    </message>
    <message>
        <source>LLaMA-Adapter: learned tokens per adapted layer</source>
        <translation>LLaMA-Adapter&#xa0;: jetons appris par couche adaptée</translation>
    </message>
    <message>
        <source>Adapted layers</source>
        <translation>Couches adaptées</translation>
    </message>
    <message>
        <source>LLaMA-Adapter: how many of the top layers get prompt tokens</source>
        <translation>LLaMA-Adapter&#xa0;: nombre de couches supérieures qui reçoivent des jetons d’invite</translation>
    </message>
    <message>
        <source>Gradient checkpointing</source>
        <translation>Recalcul des activations</translation>
    </message>
    <message>
        <source>Recompute each layer during the backward pass: less memory, about a third more time</source>
        <translation>Recalculer chaque couche pendant la passe arrière (gradient checkpointing)&#xa0;: moins de mémoire, environ un tiers de temps en plus</translation>
    </message>
    <message>
        <source>Packing</source>
        <translation>Empaquetage</translation>
    </message>
    <message>
        <source>Join short examples into full-length sequences: less padding</source>
        <translation>Regrouper les exemples courts en séquences de longueur maximale&#xa0;: moins de remplissage</translation>
    </message>
    <message>
        <source>Choose a dataset</source>
        <translation>Choisir un jeu de données</translation>
    </message>
    <message>
        <source>Datasets (*.json *.jsonl);;All files (*)</source>
        <translation>Jeux de données (*.json *.jsonl);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>Chat with run %1</source>
        <translation>Discuter avec l’entraînement %1</translation>
    </message>
    <message>
        <source>Train an adapter</source>
        <translation>Entraîner un adaptateur</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Parcourir…</translation>
    </message>
    <message>
        <source>A dataset file</source>
        <translation>Un fichier de jeu de données</translation>
    </message>
    <message>
        <source>Detect</source>
        <translation>Détecter</translation>
    </message>
    <message>
        <source>OpenAI messages</source>
        <translation>OpenAI messages</translation>
    </message>
    <message>
        <source>Start training</source>
        <translation>Lancer l’entraînement</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Arrêter</translation>
    </message>
    <message>
        <source>Stop at the end of the current step, after writing a checkpoint</source>
        <translation>Arrêter à la fin de l’étape en cours, après l’écriture d’un point de contrôle</translation>
    </message>
    <message>
        <source>Chat with the result</source>
        <translation>Discuter avec le résultat</translation>
    </message>
    <message>
        <source>Choose a model and a dataset to see the trainable parameters and an estimate of memory and time.</source>
        <translation>Choisissez un modèle et un jeu de données pour voir les paramètres entraînables et une estimation de la mémoire et du temps nécessaires.</translation>
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
        <translation>&lt;b&gt;%1 paramètres entraînables&lt;/b&gt; (%2&#xa0;% du modèle) · environ %3 de mémoire · environ %4 sur ce CPU</translation>
    </message>
    <message>
        <source>Projectors and encoders come on top: the run counts them when it starts.</source>
        <translation>Les projecteurs et les encodeurs s’y ajoutent&#xa0;: l’entraînement les compte à son démarrage.</translation>
    </message>
    <message>
        <source>Reading %1…</source>
        <translation>Lecture de %1…</translation>
    </message>
    <message>
        <source>The dataset cannot be used.</source>
        <translation>Ce jeu de données est inutilisable.</translation>
    </message>
    <message>
        <source>%1 format · %2 examples · %3 bad rows skipped · %4–%5 tokens (median %6), %7 cut at the max length</source>
        <translation>Format %1 · %2 exemples · %3 lignes invalides ignorées · %4–%5 jetons (médiane %6), %7 tronqués à la longueur max.</translation>
    </message>
    <message>
        <source>line %1: %2</source>
        <translation>ligne %1&#xa0;: %2</translation>
    </message>
    <message>
        <source>No bad rows.</source>
        <translation>Aucune ligne invalide.</translation>
    </message>
    <message>
        <source>Examples</source>
        <translation>Exemples</translation>
    </message>
    <message>
        <source>Examples by length (tokens, up to)</source>
        <translation>Exemples par longueur (jetons, jusqu’à)</translation>
    </message>
    <message>
        <source>Run %1 started.</source>
        <translation>Entraînement %1 lancé.</translation>
    </message>
    <message>
        <source>Training cannot start.</source>
        <translation>Impossible de lancer l’entraînement.</translation>
    </message>
    <message>
        <source>No run yet.</source>
        <translation>Aucun entraînement pour l’instant.</translation>
    </message>
    <message>
        <source>Run %1 · stopping after the current step…</source>
        <translation>Entraînement %1 · arrêt après l’étape en cours…</translation>
    </message>
    <message>
        <source>Run %1 · %2 · step %3 of %4</source>
        <translation>Entraînement %1 · %2 · étape %3 sur %4</translation>
    </message>
    <message>
        <source>Run %1 · %2 · step %3 of %4 · about %5 left</source>
        <translation>Entraînement %1 · %2 · étape %3 sur %4 · reste environ %5</translation>
    </message>
    <message>
        <source>Run %1 failed.</source>
        <translation>Échec de l’entraînement %1.</translation>
    </message>
    <message>
        <source>Run %1 finished: chat with its adapter.</source>
        <translation>Entraînement %1 terminé&#xa0;: discutez avec son adaptateur.</translation>
    </message>
    <message>
        <source>Run %1 ended: %2.</source>
        <translation>Fin de l’entraînement %1&#xa0;: %2.</translation>
    </message>
    <message>
        <source>Processes</source>
        <translation>Processus</translation>
    </message>
    <message>
        <source>Training processes sharing each batch and this computer&apos;s cores; the loss curve is the same as with one. Several computers: see the README</source>
        <translation>Processus d’entraînement qui se partagent chaque lot et les cœurs de cet ordinateur&#xa0;; la courbe de perte est la même qu’avec un seul. Plusieurs ordinateurs&#xa0;: voir le README</translation>
    </message>
</context>
<context>
    <name>Trainer</name>
    <message>
        <source>Cannot start the trainer %1.</source>
        <translation>Impossible de lancer le programme d’entraînement %1.</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>It was written by a newer version of Atelier. Update Atelier, or start with another data folder (--data-dir); the file was left untouched.</source>
        <translation>Elle a été écrite par une version plus récente d’Atelier. Mettez Atelier à jour ou démarrez avec un autre dossier de données (--data-dir)&#xa0;; le fichier n’a pas été modifié.</translation>
    </message>
    <message>
        <source>Atelier cannot start</source>
        <translation>Atelier ne peut pas démarrer</translation>
    </message>
    <message>
        <source>The database %1 cannot be opened.</source>
        <translation>Impossible d’ouvrir la base de données %1.</translation>
    </message>
</context>
</TS>
