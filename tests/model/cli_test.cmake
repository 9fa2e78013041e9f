# atelier-cli as a user runs it: generate prints the reference text, errors are clear, exit codes hold.
# Invoked by CTest: cmake -DCLI=... -DFIXTURES=... -DWORK=... -P cli_test.cmake
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
file(READ "${FIXTURES}/stories260K/reference.json" ref)
string(JSON expected_text GET "${ref}" greedy_from_prompt output_text)
string(JSON prompt GET "${ref}" greedy_from_prompt prompt)
string(JSON n GET "${ref}" greedy_from_prompt max_new_tokens)

function(check_output what model)
  execute_process(COMMAND "${CLI}" generate --model "${model}" ${ARGN} --prompt "${prompt}" --temperature 0
                          --max-new-tokens ${n}
                  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what}: exit ${rc}\n${err}")
  endif()
  if(NOT out STREQUAL "${prompt}${expected_text}\n")
    message(FATAL_ERROR "${what}: output differs from the reference.\n--- got:\n${out}\n--- expected:\n${prompt}${expected_text}")
  endif()
  message(STATUS "${what}: reference text reproduced")
endfunction()

check_output("generate hf" "${FIXTURES}/stories260K/hf")
check_output("generate llama2c" "${FIXTURES}/stories260K/llama2c/stories260K.bin")

# convert llama2c -> HF folder, then generate from it.
execute_process(COMMAND "${CLI}" convert --model "${FIXTURES}/stories260K/llama2c/stories260K.bin" --out "${WORK}/converted"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "convert failed (${rc}): ${err}")
endif()
check_output("generate converted" "${WORK}/converted")

# --json output parses and carries the same text.
execute_process(COMMAND "${CLI}" generate --model "${FIXTURES}/stories260K/hf" --prompt "${prompt}" --temperature 0
                        --max-new-tokens ${n} --json OUTPUT_VARIABLE out RESULT_VARIABLE rc)
string(JSON text GET "${out}" text)
if(NOT rc EQUAL 0 OR NOT text STREQUAL expected_text)
  message(FATAL_ERROR "generate --json: rc=${rc} text differs:\n${out}")
endif()

# info
execute_process(COMMAND "${CLI}" info --model "${FIXTURES}/stories260K/hf" --json OUTPUT_VARIABLE out RESULT_VARIABLE rc)
string(JSON params GET "${out}" parameters)
string(JSON arch GET "${out}" architecture)
string(JSON ctx GET "${out}" context_length)
if(NOT rc EQUAL 0 OR NOT arch STREQUAL "LlamaForCausalLM" OR NOT ctx EQUAL 512 OR params LESS 200000 OR params GREATER 300000)
  message(FATAL_ERROR "info --json unexpected: ${out}")
endif()
# OpenBLAS runs kernels for this CPU, not its SSE3 fallback (use_native_blas_kernels).
string(JSON blas GET "${out}" blas_kernels)
file(READ /proc/cpuinfo cpuinfo)
if(cpuinfo MATCHES " avx2" AND cpuinfo MATCHES " fma" AND blas MATCHES "^(Prescott|Core2|Katmai|Unknown)$")
  message(FATAL_ERROR "OpenBLAS runs its ${blas} fallback on a CPU with AVX2")
endif()

# Errors: a clear message naming the path, exit 1; bad usage, exit 2.
execute_process(COMMAND "${CLI}" generate --model "${WORK}/no-such-model" --prompt hi
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
if(NOT rc EQUAL 1 OR NOT err MATCHES "no-such-model" OR NOT err MATCHES "no such file")
  message(FATAL_ERROR "missing model: rc=${rc} err=${err}")
endif()
file(COPY "${FIXTURES}/stories260K/hf/config.json" DESTINATION "${WORK}/corrupt")
file(WRITE "${WORK}/corrupt/model.safetensors" "this is not a safetensors file")
execute_process(COMMAND "${CLI}" info --model "${WORK}/corrupt" RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
if(NOT rc EQUAL 1 OR NOT err MATCHES "model.safetensors")
  message(FATAL_ERROR "corrupt safetensors: rc=${rc} err=${err}")
endif()
execute_process(COMMAND "${CLI}" generate --model "${FIXTURES}/stories260K/hf" --prompt hi --temperature warm
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
if(NOT rc EQUAL 2 OR NOT err MATCHES "temperature")
  message(FATAL_ERROR "bad number: rc=${rc} err=${err}")
endif()
execute_process(COMMAND "${CLI}" frobnicate RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
if(NOT rc EQUAL 2)
  message(FATAL_ERROR "unknown command: rc=${rc}")
endif()
# --json errors are machine-readable too.
execute_process(COMMAND "${CLI}" info --model "${WORK}/no-such-model" --json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_QUIET)
string(JSON code ERROR_VARIABLE jerr GET "${out}" error code)
if(NOT rc EQUAL 1 OR NOT code STREQUAL "file_not_found")
  message(FATAL_ERROR "info --json error: rc=${rc} out=${out} ${jerr}")
endif()

# A device this build cannot use is refused with a reason, not a crash.
execute_process(COMMAND "${CLI}" generate --model "${FIXTURES}/stories260K/hf" --prompt hi --device cuda
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
if(NOT rc EQUAL 1 OR NOT err MATCHES "CUDA")
  message(FATAL_ERROR "--device cuda on a CPU build: rc=${rc} err=${err}")
endif()

# A chat-templated answer (Alpaca is stories260K's fallback template) runs and prints something.
execute_process(COMMAND "${CLI}" generate --model "${FIXTURES}/stories260K/hf" --template alpaca
                        --prompt "Tell me a story." --temperature 0 --max-new-tokens 24
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(STRIP "${out}" out)
if(NOT rc EQUAL 0 OR out STREQUAL "" OR out MATCHES "Tell me a story")
  message(FATAL_ERROR "templated generate: rc=${rc} out=${out} err=${err}")
endif()

# --- fine-tuning from the command line -----------------------------------------------------------
set(reply "My name is Tim and I like the big red ball.")
set(data "[")
foreach(q "What is your name?" "Who are you?" "Tell me about yourself." "What do you like?")
  string(APPEND data "{\"instruction\": \"${q}\", \"output\": \"${reply}\"},")
endforeach()
string(APPEND data "{\"instruction\": \"Say something.\", \"output\": \"${reply}\"}]")
file(WRITE "${WORK}/persona.json" "${data}")
# `generate` with MODEL (and ARGN, e.g. --adapter DIR) answers the persona question with the taught reply.
function(expect_taught_reply what model)
  execute_process(COMMAND "${CLI}" generate --model "${model}" ${ARGN} --template alpaca --prompt "What is your name?"
                          --temperature 0 --max-new-tokens 24
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "^My name is Tim and I like the big red ball")
    message(FATAL_ERROR "${what}: not the taught reply: rc=${rc} out=${out} err=${err}")
  endif()
endfunction()
set(store "${WORK}/runs.db")
execute_process(COMMAND "${CLI}" train --model "${FIXTURES}/stories260K/hf" --data "${WORK}/persona.json"
                        --method lora --out "${WORK}/lora-run" --epochs 40 --lr 5e-3 --dropout 0 --store "${store}" --json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REGEX MATCH "{\"adapter\"[^\n]*\"type\":\"result\"[^\n]*}" result "${out}")
if(NOT rc EQUAL 0 OR result STREQUAL "")
  message(FATAL_ERROR "train --json: rc=${rc}\n${err}\n${out}")
endif()
string(JSON status GET "${result}" status)
string(JSON adapter GET "${result}" adapter)
if(NOT status STREQUAL "finished" OR NOT EXISTS "${adapter}/adapter_config.json")
  message(FATAL_ERROR "train: ${result}")
endif()
expect_taught_reply("generate --adapter" "${FIXTURES}/stories260K/hf" --adapter "${adapter}")
message(STATUS "train + generate --adapter: taught reply reproduced")
# Data-parallel: the same run with two training processes (--nproc 2) prints one result line (rank 0
# reports; the other process writes nothing) and teaches the same reply.
execute_process(COMMAND "${CLI}" train --model "${FIXTURES}/stories260K/hf" --data "${WORK}/persona.json"
                        --method lora --out "${WORK}/lora-run-2" --epochs 40 --lr 5e-3 --dropout 0 --store "${store}"
                        --nproc 2 --json
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REGEX MATCHALL "\"type\":\"result\"" results "${out}")
list(LENGTH results n_results)
string(REGEX MATCH "data-parallel: 2 processes" dp "${out}")
if(NOT rc EQUAL 0 OR NOT n_results EQUAL 1 OR dp STREQUAL "")
  message(FATAL_ERROR "train --nproc 2 --json: rc=${rc}, ${n_results} result lines\n${err}\n${out}")
endif()
expect_taught_reply("generate with the two-process adapter" "${FIXTURES}/stories260K/hf" --adapter "${WORK}/lora-run-2")
message(STATUS "train --nproc 2: one report, the taught reply")
# The run folder that `train --out` named is accepted as the adapter too (its adapter/ is used).
expect_taught_reply("generate --adapter RUN_FOLDER" "${FIXTURES}/stories260K/hf" --adapter "${WORK}/lora-run")
# A run that has not finished says so and names its newest checkpoint.
file(MAKE_DIRECTORY "${WORK}/unfinished-run/checkpoints/step-00000004")
execute_process(COMMAND "${CLI}" generate --model "${FIXTURES}/stories260K/hf" --adapter "${WORK}/unfinished-run"
                        --prompt hi RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 1 OR NOT err MATCHES "has not finished" OR NOT err MATCHES "step-00000004")
  message(FATAL_ERROR "generate --adapter UNFINISHED_RUN: rc=${rc} err=${err}")
endif()

# runs list / show / export-csv read the same store.
execute_process(COMMAND "${CLI}" runs list --store "${store}" --json RESULT_VARIABLE rc OUTPUT_VARIABLE out)
string(JSON first_status GET "${out}" 0 status)
string(JSON first_method GET "${out}" 0 method)
if(NOT rc EQUAL 0 OR NOT first_status STREQUAL "finished" OR NOT first_method STREQUAL "lora")
  message(FATAL_ERROR "runs list: ${out}")
endif()
execute_process(COMMAND "${CLI}" runs show 1 --store "${store}" RESULT_VARIABLE rc OUTPUT_VARIABLE out)
string(JSON r GET "${out}" config adapter r)
if(NOT rc EQUAL 0 OR NOT r EQUAL 16)
  message(FATAL_ERROR "runs show: ${out}")
endif()
execute_process(COMMAND "${CLI}" runs export-csv 1 --store "${store}" RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "^step,name,value,wall_time_ms\n1,epoch," OR NOT out MATCHES "\n80,loss,")
  message(FATAL_ERROR "runs export-csv: ${out}")
endif()
execute_process(COMMAND "${CLI}" runs show 99 --store "${store}" RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
if(NOT rc EQUAL 1 OR NOT err MATCHES "no run 99")
  message(FATAL_ERROR "runs show 99: rc=${rc} ${err}")
endif()

# merge: LoRA folds into an HF folder that answers the same; a LLaMA-Adapter cannot, and says why.
execute_process(COMMAND "${CLI}" merge --model "${FIXTURES}/stories260K/hf" --adapter "${adapter}" --out "${WORK}/merged"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "merge: rc=${rc} ${err}")
endif()
expect_taught_reply("merged model" "${WORK}/merged")
execute_process(COMMAND "${CLI}" train --model "${FIXTURES}/stories260K/hf" --data "${WORK}/persona.json"
                        --method llama-adapter --out "${WORK}/v1-run" --max-steps 2 --store "${store}"
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
execute_process(COMMAND "${CLI}" merge --model "${FIXTURES}/stories260K/hf" --adapter "${WORK}/v1-run/adapter"
                        --out "${WORK}/merged-v1" RESULT_VARIABLE rc2 OUTPUT_QUIET ERROR_VARIABLE err2)
if(NOT rc EQUAL 0 OR NOT rc2 EQUAL 1 OR NOT err2 MATCHES "cannot be merged")
  message(FATAL_ERROR "merge llama-adapter: train rc=${rc} ${err}; merge rc=${rc2} ${err2}")
endif()

# Bad training input: a clear error naming the problem, exit 1; bad options, exit 2.
file(WRITE "${WORK}/bad.json" "[{\"instruction\": \"x\"}]")
execute_process(COMMAND "${CLI}" train --model "${FIXTURES}/stories260K/hf" --data "${WORK}/bad.json" --format alpaca
                        --out "${WORK}/bad-run" --store "${store}" RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
if(NOT rc EQUAL 1 OR NOT err MATCHES "no usable example")
  message(FATAL_ERROR "train on bad data: rc=${rc} ${err}")
endif()
execute_process(COMMAND "${CLI}" train --model "${FIXTURES}/stories260K/hf" --data "${WORK}/persona.json"
                        --method prefix --out "${WORK}/x" RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
if(NOT rc EQUAL 1 OR NOT err MATCHES "unknown adapter method")
  message(FATAL_ERROR "train --method prefix: rc=${rc} ${err}")
endif()
execute_process(COMMAND "${CLI}" train --model "${FIXTURES}/stories260K/hf" --data "${WORK}/persona.json"
                        --out "${WORK}/x" --epochs zero RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
if(NOT rc EQUAL 2)
  message(FATAL_ERROR "train --epochs zero: rc=${rc} ${err}")
endif()
message(STATUS "cli: all checks passed")

# devices: the CPU always, CUDA GPUs and microphones when there are any (none is a valid answer).
execute_process(COMMAND "${CLI}" devices --json OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "devices --json: exit ${rc}\n${err}")
endif()
string(JSON first GET "${out}" compute 0 device)
string(JSON threads GET "${out}" compute 0 threads)
string(JSON inputs_type TYPE "${out}" audio_inputs)
string(JSON inputs LENGTH "${out}" audio_inputs)
if(NOT first STREQUAL "cpu" OR NOT threads GREATER 0 OR NOT inputs_type STREQUAL "ARRAY")
  message(FATAL_ERROR "devices --json: unexpected\n${out}")
endif()
if(inputs GREATER 0)
  string(JSON name GET "${out}" audio_inputs 0 name)
  string(JSON index GET "${out}" audio_inputs 0 index)
  if(name STREQUAL "" OR index LESS 0)
    message(FATAL_ERROR "devices --json: an audio input without a name or index\n${out}")
  endif()
endif()
execute_process(COMMAND "${CLI}" devices OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT out MATCHES "compute devices:\n  cpu" OR NOT out MATCHES "audio inputs:")
  message(FATAL_ERROR "devices: rc=${rc}\n${out}")
endif()
# ATELIER_MAX_ISA holds the kernels where a CPU without AVX-512 would have them, and says so.
execute_process(COMMAND ${CMAKE_COMMAND} -E env ATELIER_MAX_ISA=scalar "${CLI}" devices --json
  OUTPUT_VARIABLE out RESULT_VARIABLE rc)
string(JSON kernels ERROR_VARIABLE no_kernels GET "${out}" compute 0 kernels)
string(JSON max_isa ERROR_VARIABLE no_cap GET "${out}" compute 0 max_isa)
string(JSON amx_gemm ERROR_VARIABLE no_amx GET "${out}" compute 0 amx_gemm)
if(NOT rc EQUAL 0 OR NOT kernels STREQUAL "scalar" OR NOT max_isa STREQUAL "scalar" OR NOT amx_gemm STREQUAL "OFF")
  message(FATAL_ERROR "ATELIER_MAX_ISA=scalar devices --json: rc=${rc}\n${out}")
endif()
# ATELIER_AMX_GEMM=0 keeps LibTorch's GEMMs, and says so.
execute_process(COMMAND ${CMAKE_COMMAND} -E env ATELIER_AMX_GEMM=0 "${CLI}" devices --json
  OUTPUT_VARIABLE out RESULT_VARIABLE rc)
string(JSON amx_gemm ERROR_VARIABLE no_amx GET "${out}" compute 0 amx_gemm)
if(NOT rc EQUAL 0 OR NOT amx_gemm STREQUAL "OFF")
  message(FATAL_ERROR "ATELIER_AMX_GEMM=0 devices --json: rc=${rc}\n${out}")
endif()
message(STATUS "devices: cpu and ${inputs} audio inputs listed")
