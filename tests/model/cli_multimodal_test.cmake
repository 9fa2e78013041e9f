# atelier-cli's media commands and multimodal generation as a user runs them.
# Invoked by CTest: cmake -DCLI=... -DFIXTURES=... -DWORK=... -P cli_multimodal_test.cmake
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
set(M "${FIXTURES}/media")
set(LLAVA "${FIXTURES}/multimodal/llava-tiny")

function(run what)
  execute_process(COMMAND "${CLI}" ${ARGN} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what}: exit ${rc}\n${out}\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()

# expect(message condition): the condition is CMake `if()` syntax, evaluated in the caller's variables.
function(expect what condition)
  set(_what "${what}")
  cmake_language(EVAL CODE "if(NOT (${condition}))\n  message(FATAL_ERROR \"\${_what}\")\nendif()")
endfunction()

# shape_of(var json key...): a JSON array of numbers as "a,b,c".
function(shape_of var json)
  string(JSON n LENGTH "${json}" ${ARGN})
  math(EXPR last "${n} - 1")
  set(parts "")
  foreach(i RANGE ${last})
    string(JSON v GET "${json}" ${ARGN} ${i})
    list(APPEND parts "${v}")
  endforeach()
  string(REPLACE ";" "," joined "${parts}")
  set(${var} "${joined}" PARENT_SCOPE)
endfunction()

# LLaVA-tiny with an image reproduces the reference's greedy ids (first 12 steps: no near-tie there).
file(STRINGS "${FIXTURES}/multimodal/reference/llava-tiny.greedy.jsonl" lines)
list(GET lines 0 ref)
string(JSON prompt GET "${ref}" prompt)
run("generate --image" generate --model "${LLAVA}" --image "${M}/astronaut.png" --prompt "${prompt}"
    --temperature 0 --max-new-tokens 12 --json)
foreach(i RANGE 11)
  string(JSON want GET "${ref}" greedy_ids ${i})
  string(JSON got GET "${out}" tokens ${i})
  if(NOT got EQUAL want)
    message(FATAL_ERROR "generate --image: token ${i} is ${got}, the reference says ${want}\n${out}")
  endif()
endforeach()
string(JSON media_tokens GET "${out}" media_tokens)
string(JSON kind GET "${out}" media 0 kind)
expect("generate --json media fields: ${out}" "media_tokens EQUAL 16 AND kind STREQUAL image")
message(STATUS "generate --image: LLaVA-tiny reference ids reproduced")

# A model without the modality refuses, naming what it lacks; nothing is ignored.
execute_process(COMMAND "${CLI}" generate --model "${FIXTURES}/stories260K/hf" --image "${M}/astronaut.png" --prompt hi
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
expect("text-only model with --image: rc=${rc} err=${err}" "rc EQUAL 1 AND err MATCHES \"no image encoder\"")
execute_process(COMMAND "${CLI}" generate --model "${LLAVA}" --audio "${M}/jfk.wav" --prompt hi --json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_QUIET)
string(JSON code GET "${out}" error code)
expect("llava with --audio: rc=${rc} ${out}" "rc EQUAL 1 AND code STREQUAL missing_modality")
# A broken media file: a clear error naming it.
file(WRITE "${WORK}/broken.png" "PNG? no.")
execute_process(COMMAND "${CLI}" generate --model "${LLAVA}" --image "${WORK}/broken.png" --prompt hi
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
expect("broken image: rc=${rc} err=${err}" "rc EQUAL 1 AND err MATCHES \"broken.png\"")

# media info
run("media info mp4" media info "${M}/astronaut_jfk.mp4" --json)
foreach(field kind width height fps sample_rate channels duration rotation)
  string(JSON ${field} GET "${out}" ${field})
endforeach()
expect("media info mp4: ${out}" "kind STREQUAL video AND width EQUAL 320 AND height EQUAL 320 AND sample_rate EQUAL 16000 AND channels EQUAL 1 AND rotation EQUAL 0")
expect("media info mp4 fps/duration: ${out}" "fps GREATER 24.9 AND fps LESS 25.1 AND duration GREATER 10.9 AND duration LESS 11.2")
run("media info wav" media info "${M}/jfk.wav" --json)
string(JSON kind GET "${out}" kind)
expect("media info wav: ${out}" "kind STREQUAL audio")
run("media info png" media info "${M}/chelsea.png" --json)
string(JSON kind GET "${out}" kind)
string(JSON width GET "${out}" width)
expect("media info png: ${out}" "kind STREQUAL image AND width EQUAL 451")

# media frames: N PNGs at (i + 0.5) * duration / N
run("media frames" media frames "${M}/astronaut_jfk.mp4" --count 4 --out "${WORK}/frames" --json)
string(JSON n LENGTH "${out}" frames)
expect("media frames count: ${out}" "n EQUAL 4")
foreach(i RANGE 3)
  string(JSON f GET "${out}" frames ${i} file)
  string(JSON t GET "${out}" frames ${i} time)
  string(JSON idx GET "${out}" frames ${i} index)
  expect("frame ${i} missing: ${f}" "EXISTS \"${f}\"")
  math(EXPR lo "${i} * 2750 + 1300")
  math(EXPR hi "${i} * 2750 + 1450")
  math(EXPR t_ms "0")
  string(REGEX REPLACE "^([0-9]+)\\.([0-9][0-9][0-9]).*" "\\1\\2" t_ms "${t}000")
  expect("frame ${i} at ${t} s, expected about (i+0.5)*11/4" "idx EQUAL ${i} AND t_ms GREATER ${lo} AND t_ms LESS ${hi}")
endforeach()

# media audio: 16 kHz mono PCM16, the whole speech
run("media audio" media audio "${M}/jfk.mp3" --out "${WORK}/jfk16.wav")
run("media info of the written wav" media info "${WORK}/jfk16.wav" --json)
string(JSON rate GET "${out}" sample_rate)
string(JSON ch GET "${out}" channels)
string(JSON dur GET "${out}" duration)
expect("media audio output: ${out}" "rate EQUAL 16000 AND ch EQUAL 1 AND dur GREATER 10.9")

# media mel: input_features [1, bins, 3000 x windows]
run("media mel" media mel "${M}/jfk.wav" --out "${WORK}/mel.safetensors" --json)
string(JSON bins GET "${out}" shape 1)
string(JSON frames GET "${out}" shape 2)
expect("media mel: ${out}" "bins EQUAL 80 AND frames EQUAL 3000 AND EXISTS \"${WORK}/mel.safetensors\"")
run("media mel 128" media mel "${M}/jfk.wav" --out "${WORK}/mel128.safetensors" --mel-bins 128 --json)
string(JSON bins GET "${out}" shape 1)
expect("media mel --mel-bins 128: ${out}" "bins EQUAL 128")

# encode: the encoder's outputs, and the projector's with a LLaVA folder
run("encode clip" encode --model "${FIXTURES}/multimodal/clip-vit-tiny" --image "${M}/astronaut.png"
    --out "${WORK}/clip.safetensors" --json)
shape_of(hs "${out}" tensors hidden_states)
expect("encode clip: ${out}" "hs STREQUAL \"4,1,17,48\"")
run("encode whisper" encode --model "${FIXTURES}/multimodal/whisper-tiny-random" --audio "${M}/jfk.wav"
    --out "${WORK}/whisper.safetensors" --json)
shape_of(lhs "${out}" tensors last_hidden_state)
shape_of(feats "${out}" tensors input_features)
expect("encode whisper: ${out}" "lhs STREQUAL \"1,1500,64\" AND feats STREQUAL \"1,80,3000\"")
run("encode llava" encode --model "${LLAVA}" --image "${M}/chelsea.png" --out "${WORK}/llava.safetensors" --json)
shape_of(imf "${out}" tensors image_features)
expect("encode llava: ${out}" "imf STREQUAL \"1,16,64\"")

# info shows modalities and tokens per image
run("info llava" info --model "${LLAVA}" --json)
string(JSON modality GET "${out}" modalities 0 modality)
string(JSON per_image GET "${out}" modalities 0 tokens_per_image)
string(JSON projector GET "${out}" modalities 0 projector)
expect("info llava: ${out}" "modality STREQUAL image AND per_image EQUAL 16 AND projector STREQUAL mlp2x_gelu")

# chat: /image attaches to the next message
file(WRITE "${WORK}/chat_in.txt" "/image ${M}/astronaut.png\nOnce upon a time\n/exit\n")
execute_process(COMMAND "${CLI}" chat --model "${LLAVA}" --temperature 0 --max-new-tokens 5
                INPUT_FILE "${WORK}/chat_in.txt" OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
expect("chat /image: rc=${rc}\n${out}\n${err}" "rc EQUAL 0 AND err MATCHES \"attached\" AND err MATCHES \"16 tokens\"")
# eval: a LLaVA dataset whose first reference is what the model answers about the image, the second
# a wrong one; accuracy 50%, the failure listed with its line.
file(COPY "${M}/astronaut.png" DESTINATION "${WORK}/evalset")
run("generate for eval" generate --model "${LLAVA}" --image "${M}/astronaut.png" --prompt "Once upon a time"
    --temperature 0 --max-new-tokens 5 --json)
string(JSON said GET "${out}" text)
string(REPLACE "\"" "\\\"" said_json "${said}")
file(WRITE "${WORK}/evalset/eval.json" "[
{\"image\": \"astronaut.png\", \"category\": \"right\", \"conversations\": [{\"from\": \"human\", \"value\": \"<image>Once upon a time\"}, {\"from\": \"gpt\", \"value\": \"${said_json}\"}]},
{\"image\": \"astronaut.png\", \"category\": \"wrong\", \"conversations\": [{\"from\": \"human\", \"value\": \"<image>Once upon a time\"}, {\"from\": \"gpt\", \"value\": \"purple elephants\"}]}
]
")
run("eval" eval --model "${LLAVA}" --data "${WORK}/evalset/eval.json" --metric exact --template none
    --max-new-tokens 5 --json)
string(JSON accuracy GET "${out}" accuracy)
string(JSON nfail LENGTH "${out}" failures)
string(JSON fail_line GET "${out}" failures 0 line)
string(JSON group1 GET "${out}" groups 1 name)
expect("eval --json: ${out}" "accuracy STREQUAL 0.5 AND nfail EQUAL 1 AND fail_line EQUAL 3 AND group1 STREQUAL wrong")
run("eval human" eval --model "${LLAVA}" --data "${WORK}/evalset/eval.json" --metric first-word --template none
    --max-new-tokens 5)
expect("eval output: ${out}" "out MATCHES \"accuracy: 50.0%\" AND out MATCHES \"purple elephants\"")

message(STATUS "media commands, encode, info, chat /image and eval work")
