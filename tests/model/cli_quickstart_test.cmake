# The multimodal quickstart, shortened (few items, one epoch), as a user runs it: demo data, encoders
# from scratch, training, the bundle, eval per question type; then the bundle answers from the CLI
# and the run store records the multimodal run.
# Invoked by CTest: cmake -DCLI=... -DSCRIPT=... -DFIXTURES=... -DWORK=... -P cli_quickstart_test.cmake
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
get_filename_component(bindir "${CLI}" DIRECTORY)
set(ENV{PATH} "${bindir}:$ENV{PATH}")
set(ENV{ATELIER_QUICKSTART_LLM} "${FIXTURES}/stories260K/hf")
set(ENV{QUICKSTART_COUNT} "6")
set(ENV{QUICKSTART_EPOCHS} "1")
execute_process(COMMAND bash "${SCRIPT}" "${WORK}/qs" OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "quickstart: exit ${rc}\n${out}\n${err}")
endif()
foreach(needle "== eval on the test split" "image-colour" "image-shape" "audio-count" "audio-pitch"
               "video-direction" "video-colour" "video-count" "feature cache:")
  string(FIND "${out}" "${needle}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "quickstart output lacks '${needle}':\n${out}\n${err}")
  endif()
endforeach()
foreach(f atelier-bundle.json image_projector.safetensors audio_projector.safetensors video_projector.safetensors
          adapter/adapter_config.json image_encoder/model.safetensors audio_encoder/model.safetensors)
  if(NOT EXISTS "${WORK}/qs/bundle/${f}")
    message(FATAL_ERROR "the bundle lacks ${f}")
  endif()
endforeach()

# Asked as the README says.
execute_process(COMMAND "${CLI}" generate --model "${WORK}/qs/bundle" --video "${WORK}/qs/data/media/vid_0001.mp4"
                        --prompt "Which way is the dot moving?" --template alpaca --temperature 0 --max-new-tokens 4 --json
                OUTPUT_VARIABLE gen ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "generate with the bundle: exit ${rc}\n${gen}\n${err}")
endif()
string(JSON media GET "${gen}" media_tokens)
if(media LESS 9)
  message(FATAL_ERROR "the video took ${media} positions; 8 DCT frequency tokens + its audio expected\n${gen}")
endif()
execute_process(COMMAND "${CLI}" info --model "${WORK}/qs/bundle" --json OUTPUT_VARIABLE info RESULT_VARIABLE rc)
string(JSON n LENGTH "${info}" modalities)
if(NOT n EQUAL 3)
  message(FATAL_ERROR "the bundle should read image, audio and video:\n${info}")
endif()

# The run store knows the run's stage and modalities.
execute_process(COMMAND "${CLI}" runs show 1 --store "${WORK}/qs/runs.db" --json OUTPUT_VARIABLE run RESULT_VARIABLE rc)
foreach(needle "projector+adapter" "modalities audio,image,video")
  string(FIND "${run}" "${needle}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "runs show lacks '${needle}':\n${run}")
  endif()
endforeach()
# ... and the evaluation the quickstart stored with it, per question type.
string(JSON n_evals LENGTH "${run}" evals)
if(NOT n_evals EQUAL 1)
  message(FATAL_ERROR "the run should carry the quickstart's evaluation:\n${run}")
endif()
string(JSON metric GET "${run}" evals 0 metric)
string(JSON n_groups LENGTH "${run}" evals 0 groups)
if(NOT metric STREQUAL "first-word" OR NOT n_groups EQUAL 7)
  message(FATAL_ERROR "stored evaluation: metric ${metric}, ${n_groups} groups (7 question types expected)")
endif()
