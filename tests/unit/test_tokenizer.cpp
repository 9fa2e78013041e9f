// Tokenizers: SentencePiece against the real stories260K model and llama2.c's reference ids;
// byte-level BPE against a small tokenizer.json written here, with every expected id worked out
// by hand from the merge table below.
#include "common/error.h"
#include "test_util.h"
#include "tokenizer/spm_model.h"
#include "tokenizer/tokenizer.h"

#include <gtest/gtest.h>

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>
#include <chrono>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <tuple>

#include <random>
#include <string>
#include <vector>

using atelier::ErrorCode;
using atelier::StreamingDetokenizer;
using atelier::Tokenizer;
using nlohmann::json;
namespace test = atelier::test;

namespace {

using atelier::test::error_code_of;

// ---------------------------------------------------------------------------------------------
// SentencePiece: stories260K (llama2.c's tok512, a byte-fallback BPE SentencePiece model).

class SentencePieceTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        tok =
            atelier::load_sentencepiece_tokenizer(test::fixture("stories260K/hf/tokenizer.model")).release();
    }
    static void TearDownTestSuite() {
        delete tok;
        tok = nullptr;
    }
    static Tokenizer* tok;
};
Tokenizer* SentencePieceTest::tok = nullptr;

TEST_F(SentencePieceTest, EncodesLikeTheReference) {
    // reference.json: greedy_from_bos starts "Once upon a time" = 403 407 261 378 after bos 1.
    EXPECT_EQ(tok->encode("Once upon a time", true), (std::vector<int>{1, 403, 407, 261, 378}));
    EXPECT_EQ(tok->encode("Once upon a time", false), (std::vector<int>{403, 407, 261, 378}));
    EXPECT_EQ(tok->bos_id(), 1);
    EXPECT_EQ(tok->eos_id(), 2);
    EXPECT_EQ(tok->vocab_size(), 512);
    EXPECT_STREQ(tok->kind(), "sentencepiece");
}

TEST_F(SentencePieceTest, MatchesReferenceJson) {
    const json ref = json::parse(test::read_file(test::fixture("stories260K/reference.json")));
    const json& from_prompt = ref["greedy_from_prompt"];
    EXPECT_EQ(tok->encode(from_prompt["prompt"].get<std::string>(), true),
              from_prompt["input_ids"].get<std::vector<int>>());

    // A whole generation from bos decodes to the reference text (leading space of "▁Once" dropped).
    const json& from_bos = ref["greedy_from_bos"];
    EXPECT_EQ(tok->decode(from_bos["output_ids"].get<std::vector<int>>()),
              from_bos["output_text"].get<std::string>());

    // Streaming a continuation after a prompt keeps its spaces.
    StreamingDetokenizer detok(*tok, /*strip_leading_space=*/false);
    std::string streamed;
    for (int id : from_prompt["output_ids"].get<std::vector<int>>()) streamed += detok.push(id);
    streamed += detok.flush();
    EXPECT_EQ(streamed, from_prompt["output_text"].get<std::string>());
}

TEST_F(SentencePieceTest, DecodeMatchesLibSentencePiece) {
    sentencepiece::SentencePieceProcessor sp;
    ASSERT_TRUE(sp.Load(test::fixture("stories260K/hf/tokenizer.model")).ok());
    // <unk> is left out: this libsentencepiece build spells its unk_surface as the escape text
    // "\342\201\207" instead of " ⁇ " (U+2047), which the Python binding and we print.
    EXPECT_EQ(tok->decode({0}), " \xE2\x81\x87 ");
    for (int id = 1; id < tok->vocab_size(); ++id) {
        std::string expected;
        ASSERT_TRUE(sp.Decode(std::vector<int>{id}, &expected).ok());
        EXPECT_EQ(tok->decode({id}), expected) << "id " << id << " piece " << tok->id_to_piece(id);
    }
    // Random sequences: pieces, control tokens and stray bytes (invalid UTF-8 -> U+FFFD) mixed.
    std::mt19937 rng(1234);
    for (int trial = 0; trial < 300; ++trial) {
        std::vector<int> ids(1 + rng() % 12);
        for (int& id : ids) id = 1 + static_cast<int>(rng() % static_cast<unsigned>(tok->vocab_size() - 1));
        std::string expected;
        ASSERT_TRUE(sp.Decode(ids, &expected).ok());
        EXPECT_EQ(tok->decode(ids), expected) << ::testing::PrintToString(ids);
    }
}

TEST_F(SentencePieceTest, DecodeRoundTrips) {
    for (const std::string s : {"Once upon a time", "Hello, World!", "Lily said, \"let's go.\"\nThe end.",
                                "h\xC3\xA9llo \xE4\xB8\x96\xE7\x95\x8C",  // "héllo 世界": byte fallback
                                "emoji \xF0\x9F\x98\x80 tab\tend"}) {
        EXPECT_EQ(tok->decode(tok->encode(s, true)), s) << s;
    }
    // spm_encode: "世界" -> "▁" <0xE4> <0xB8> <0x96> <0xE7> <0x95> <0x8C>
    EXPECT_EQ(tok->encode("\xE4\xB8\x96\xE7\x95\x8C", false),
              (std::vector<int>{410, 231, 187, 153, 234, 152, 143}));
    // Without stripping, the dummy-prefix space shows.
    EXPECT_EQ(tok->decode(tok->encode("Once", false), false), " Once");
    // Control tokens print nothing.
    EXPECT_EQ(tok->decode({1, 403, 407, 2}), "Once upon");
}

TEST_F(SentencePieceTest, PiecesAndBytes) {
    EXPECT_EQ(tok->id_to_piece(261),
              "\xE2\x96\x81"
              "a");  // "▁a"
    EXPECT_EQ(tok->token_bytes(261), " a");
    EXPECT_EQ(tok->token_bytes(410), " ");          // "▁" alone
    EXPECT_EQ(tok->token_bytes(3 + 0x0A), "\n");    // "<0x0A>"
    EXPECT_EQ(tok->token_bytes(3 + 0xE4), "\xE4");  // "<0xE4>": one raw byte
    EXPECT_EQ(tok->token_bytes(1), "");             // <s> is control
    EXPECT_TRUE(tok->is_control(1));
    EXPECT_TRUE(tok->is_control(2));
    EXPECT_FALSE(tok->is_control(261));
    EXPECT_EQ(tok->piece_to_id("\xE2\x96\x81"
                               "a"),
              261);
    EXPECT_EQ(tok->piece_to_id("</s>"), 2);
    EXPECT_EQ(tok->piece_to_id("no-such-piece"), std::nullopt);
    EXPECT_EQ(error_code_of([&] { tok->token_bytes(512); }), ErrorCode::Tokenizer);
}

TEST_F(SentencePieceTest, ParseSpecialSplitsOnControlPieces) {
    const std::vector<int> hi = tok->encode("Hi", false);  // "▁H" "i"
    ASSERT_EQ(hi, (std::vector<int>{320, 417}));
    std::vector<int> expected = {1, 320, 417, 2};
    EXPECT_EQ(tok->encode("<s>Hi</s>", false, true), expected);
    const std::vector<int> plain = tok->encode("<s>Hi</s>", false, false);
    for (int id : plain) EXPECT_FALSE(id == 1 || id == 2) << "special parsed in plain text";
    EXPECT_EQ(tok->decode(plain), "<s>Hi</s>");
}

TEST_F(SentencePieceTest, StreamingHoldsBackSplitCharacters) {
    // " 世界" = "▁" then the UTF-8 bytes of 世 (E4 B8 96) and 界 (E7 95 8C) as byte pieces.
    StreamingDetokenizer detok(*tok, /*strip_leading_space=*/true);
    EXPECT_EQ(detok.push(1), "");                // bos prints nothing
    EXPECT_EQ(detok.push(410), "");              // the leading space is dropped
    EXPECT_EQ(detok.push(231), "");              // E4: first of three bytes
    EXPECT_EQ(detok.push(187), "");              // B8
    EXPECT_EQ(detok.push(153), "\xE4\xB8\x96");  // 96 completes 世
    EXPECT_EQ(detok.push(234), "");
    EXPECT_EQ(detok.push(152), "");
    EXPECT_EQ(detok.push(143), "\xE7\x95\x8C");  // 界
    EXPECT_EQ(detok.push(403), " Once");         // later spaces are kept
    EXPECT_EQ(detok.flush(), "");

    // Concatenated pushes equal decode() of the whole sequence.
    const std::string text = "Lily saw a \xE7\x8C\xAB and said h\xC3\xA9llo.";
    const std::vector<int> ids = tok->encode(text, true);
    StreamingDetokenizer stream(*tok, true);
    std::string out;
    for (int id : ids) out += stream.push(id);
    out += stream.flush();
    EXPECT_EQ(out, text);
    EXPECT_EQ(out, tok->decode(ids));
}

TEST_F(SentencePieceTest, FlushReplacesAnIncompleteCharacter) {
    StreamingDetokenizer detok(*tok);
    EXPECT_EQ(detok.push(403), " Once");  // no stripping asked
    EXPECT_EQ(detok.push(231), "");
    EXPECT_EQ(detok.push(187), "");
    // libsentencepiece replaces each byte of a broken sequence: two orphan bytes, two U+FFFD.
    EXPECT_EQ(detok.flush(), "\xEF\xBF\xBD\xEF\xBF\xBD");
    EXPECT_EQ(detok.flush(), "");
    // A byte that can never start a character is replaced at once; the next one is not held up.
    StreamingDetokenizer d2(*tok);
    EXPECT_EQ(d2.push(3 + 0xFF), "\xEF\xBF\xBD");
    EXPECT_EQ(d2.push(3 + 'x'), "x");
    EXPECT_EQ(tok->decode({3 + 0xE4, 3 + 'x'}), "\xEF\xBF\xBDx");
    EXPECT_EQ(tok->decode({3 + 0xE2, 3 + 0x88, 3 + 'x'}), "\xEF\xBF\xBD\xEF\xBF\xBDx");
}

TEST(LoadTokenizer, SentencePieceFolderTakesIdsFromConfigs) {
    auto tok = atelier::load_tokenizer(test::fixture("stories260K/hf"));
    EXPECT_STREQ(tok->kind(), "sentencepiece");
    EXPECT_EQ(tok->bos_id(), 1);
    EXPECT_EQ(tok->eos_id(), 2);
    EXPECT_TRUE(tok->stop_ids().empty());
    EXPECT_EQ(tok->encode("Once upon a time", true), (std::vector<int>{1, 403, 407, 261, 378}));
}

TEST(LoadTokenizer, Errors) {
    EXPECT_EQ(error_code_of([] { atelier::load_tokenizer("/no/such/folder"); }), ErrorCode::FileNotFound);
    const std::string dir = test::make_temp_dir("tok-errors");
    EXPECT_EQ(error_code_of([&] { atelier::load_tokenizer(dir); }), ErrorCode::FileNotFound);
    test::write_file(dir + "/tokenizer.json", "{ not json");
    EXPECT_EQ(error_code_of([&] { atelier::load_tokenizer(dir); }), ErrorCode::BadJson);
    test::write_file(
        dir + "/tokenizer.json",
        R"({"model": {"type": "WordPiece", "vocab": {}}, "pre_tokenizer": {"type": "ByteLevel"}})");
    EXPECT_EQ(error_code_of([&] { atelier::load_tokenizer(dir); }), ErrorCode::Tokenizer);
    test::write_file(dir + "/broken.model", "not a sentencepiece model");
    EXPECT_EQ(error_code_of([&] { atelier::load_tokenizer(dir + "/broken.model"); }), ErrorCode::Tokenizer);
}

// ---------------------------------------------------------------------------------------------
// Byte-level BPE. Vocabulary: ids 0..255 are the byte-level characters of bytes 0..255 (so the id of
// an unmerged byte is the byte), then:
//   rank  merge     id  piece        rank  merge      id  piece
//   0     Ġ t       256 Ġt           9     d o        265 do
//   1     h e       257 he           10    do n       266 don
//   2     Ġt he     258 Ġthe         11    Ċ Ċ        267 ĊĊ   ("\n\n")
//   3     3 4       259 34           12    e r        268 er
//   4     1 2       260 12           13    he r       269 her
//   5     12 3      261 123          14    Ã ©        270 Ã©   ("é" = C3 A9)
//   6     4 5       262 45           15    l l        271 ll
//   7     n '       263 n'           16    t h        272 th
//   8     ' t       264 't
//   273 Ġhello (vocabulary only, no merge builds it: for ignore_merges)
//   added: 274 <|begin_of_text|> (special), 275 <|eot_id|> (special), 276 <|end_of_text|> (special),
//          277 <sep> (not special: always matched)

constexpr int kBeginOfText = 274, kEotId = 275, kEndOfText = 276, kSep = 277;

const char* kLlama3Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

// GPT-2's bytes_to_unicode, written independently of the tokenizer's.
std::string byte_char(int b) {
    int cp = b;
    if (!((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF))) {
        int n = 0;
        for (int x = 0; x < b; ++x)
            if (!((x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF))) ++n;
        cp = 256 + n;
    }
    std::string s;
    if (cp < 0x80) {
        s += static_cast<char>(cp);
    } else {
        s += static_cast<char>(0xC0 | (cp >> 6));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return s;
}

enum class PreTok { Llama3, Gpt2, Gpt2PrefixSpace };

std::string make_tokenizer_json(bool merges_as_arrays, PreTok pre, bool ignore_merges = false) {
    const std::string G = byte_char(' '), C = byte_char('\n');     // "Ġ", "Ċ"
    const std::string A3 = byte_char(0xC3), C9 = byte_char(0xA9);  // "Ã", "©"
    const std::vector<std::pair<std::string, std::string>> merges = {
        {G, "t"},   {"h", "e"},  {G + "t", "he"}, {"3", "4"}, {"1", "2"},  {"12", "3"},
        {"4", "5"}, {"n", "'"},  {"'", "t"},      {"d", "o"}, {"do", "n"}, {C, C},
        {"e", "r"}, {"he", "r"}, {A3, C9},        {"l", "l"}, {"t", "h"},
    };
    json vocab = json::object();
    for (int b = 0; b < 256; ++b) vocab[byte_char(b)] = b;
    int id = 256;
    json merge_list = json::array();
    for (const auto& [a, b] : merges) {
        vocab[a + b] = id++;
        if (merges_as_arrays)
            merge_list.push_back({a, b});
        else
            merge_list.push_back(a + " " + b);
    }
    vocab[G + "hello"] = id++;  // 273

    json model = {{"type", "BPE"},      {"vocab", vocab},       {"merges", merge_list},
                  {"dropout", nullptr}, {"unk_token", nullptr}, {"byte_fallback", false}};
    if (ignore_merges) model["ignore_merges"] = true;

    json pre_tokenizer;
    if (pre == PreTok::Llama3) {
        pre_tokenizer = {{"type", "Sequence"},
                         {"pretokenizers",
                          {{{"type", "Split"},
                            {"pattern", {{"Regex", kLlama3Regex}}},
                            {"behavior", "Isolated"},
                            {"invert", false}},
                           {{"type", "ByteLevel"},
                            {"add_prefix_space", false},
                            {"trim_offsets", true},
                            {"use_regex", false}}}}};
    } else {
        pre_tokenizer = {{"type", "ByteLevel"},
                         {"add_prefix_space", pre == PreTok::Gpt2PrefixSpace},
                         {"trim_offsets", true},
                         {"use_regex", true}};
    }
    auto added = [](int i, const char* content, bool special) {
        return json{{"id", i},         {"content", content},  {"single_word", false}, {"lstrip", false},
                    {"rstrip", false}, {"normalized", false}, {"special", special}};
    };
    json root = {
        {"version", "1.0"},
        {"truncation", nullptr},
        {"padding", nullptr},
        {"added_tokens",
         {added(kBeginOfText, "<|begin_of_text|>", true), added(kEotId, "<|eot_id|>", true),
          added(kEndOfText, "<|end_of_text|>", true), added(kSep, "<sep>", false)}},
        {"normalizer", nullptr},
        {"pre_tokenizer", pre_tokenizer},
        {"post_processor",
         {{"type", "TemplateProcessing"},
          {"single",
           {{{"SpecialToken", {{"id", "<|begin_of_text|>"}, {"type_id", 0}}}},
            {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}}}},
        {"decoder",
         {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}}},
        {"model", model},
    };
    return root.dump(2);
}

std::unique_ptr<Tokenizer> make_bpe(bool merges_as_arrays = false, PreTok pre = PreTok::Llama3,
                                    bool ignore_merges = false) {
    const std::string dir = test::make_temp_dir("bpe");
    test::write_file(dir + "/tokenizer.json", make_tokenizer_json(merges_as_arrays, pre, ignore_merges));
    return atelier::load_bpe_tokenizer(dir + "/tokenizer.json");
}

using Ids = std::vector<int>;

TEST(BpeTokenizer, MergesLowestRankFirst) {
    auto tok = make_bpe();
    EXPECT_STREQ(tok->kind(), "bpe");
    EXPECT_EQ(tok->vocab_size(), 278);
    // " the": Ġ t h e -> (Ġ,t) rank 0 -> Ġt h e -> (h,e) rank 1 -> Ġt he -> rank 2 -> Ġthe.
    EXPECT_EQ(tok->encode(" the", false), (Ids{258}));
    EXPECT_EQ(tok->id_to_piece(258), "\xC4\xA0the");  // "Ġthe"
    // "the": (t,h) rank 16 is leftmost but (h,e) rank 1 goes first -> t he; (t,he) is no merge.
    // "the her" pre-tokenizes to "the" | " her"; " her": Ġ h e r -> Ġ he r -> (he,r) rank 13 -> Ġ her.
    // Merging (e,r) rank 12 first would have given Ġ h er.
    EXPECT_EQ(tok->encode("the her", false), (Ids{'t', 257, ' ', 269}));
}

TEST(BpeTokenizer, Llama3RegexSplitsDigitsInThrees) {
    auto tok = make_bpe();
    // \p{N}{1,3}: "123" | "45" -> (1,2) -> 12 3 -> (12,3) -> 123; (4,5) -> 45.
    EXPECT_EQ(tok->encode("12345", false), (Ids{261, 262}));
    // GPT-2's " ?\p{N}+" keeps "12345" whole: (3,4) rank 3 first -> 1 2 34 5 -> (1,2) -> 12 34 5.
    auto gpt2 = make_bpe(false, PreTok::Gpt2);
    EXPECT_EQ(gpt2->encode("12345", false), (Ids{260, 259, '5'}));
}

TEST(BpeTokenizer, ContractionsAreTheirOwnPreTokens) {
    // "don't" -> "don" | "'t": d o n -> do n -> don; ' t -> 't.
    // Unsplit, (n,') rank 7 would win: do n' t.
    auto tok = make_bpe();
    EXPECT_EQ(tok->encode("don't", false), (Ids{266, 264}));
    auto gpt2 = make_bpe(false, PreTok::Gpt2);
    EXPECT_EQ(gpt2->encode("don't", false), (Ids{266, 264}));
    // Llama 3's (?i:...) also splits "DON'T" as "DON" | "'T": no merges apply to capitals.
    EXPECT_EQ(tok->encode("DON'T", false), (Ids{'D', 'O', 'N', '\'', 'T'}));
}

TEST(BpeTokenizer, NewlinesAndSpaces) {
    auto tok = make_bpe();
    // "Hi\n\n  there" -> "Hi" | "\n\n" | " " | " there" (\s*[\r\n]+, then \s+(?!\S), then a word).
    // "\n\n" = Ċ Ċ -> ĊĊ; " there" = Ġ t h e r e -> Ġt h e r e -> Ġt he r e -> Ġthe r e.
    EXPECT_EQ(tok->encode("Hi\n\n  there", false), (Ids{'H', 'i', 267, ' ', 258, 'r', 'e'}));
    EXPECT_EQ(tok->decode(tok->encode("Hi\n\n  there", false)), "Hi\n\n  there");
    EXPECT_EQ(tok->token_bytes(267), "\n\n");
    EXPECT_EQ(tok->token_bytes(' '), " ");
}

TEST(BpeTokenizer, NonAsciiBecomesByteLevelCharacters) {
    auto tok = make_bpe();
    // "héllo" = 68 C3 A9 6C 6C 6F -> h Ã © l l o -> (Ã,©) rank 14 -> (l,l) rank 15 -> h Ã© ll o.
    EXPECT_EQ(tok->encode("h\xC3\xA9llo", false), (Ids{'h', 270, 271, 'o'}));
    EXPECT_EQ(tok->id_to_piece(270), "\xC3\x83\xC2\xA9");  // "Ã©"
    EXPECT_EQ(tok->token_bytes(270), "\xC3\xA9");          // the bytes of "é"
    // "世界" has no merges: one token per UTF-8 byte, id = byte.
    EXPECT_EQ(tok->encode("\xE4\xB8\x96\xE7\x95\x8C", false), (Ids{0xE4, 0xB8, 0x96, 0xE7, 0x95, 0x8C}));
    // Byte 0x96 is not printable: the 57th such byte (0x00-0x20, 0x7F-0x96) is U+0100 + 56 = "ĸ".
    EXPECT_EQ(tok->id_to_piece(0x96), "\xC4\xB8");
}

TEST(BpeTokenizer, SpecialTokensOnlyWhenAsked) {
    auto tok = make_bpe();
    EXPECT_EQ(tok->encode("<|eot_id|>", false, true), (Ids{kEotId}));
    // As plain text: "<|" | "eot" | "_id" | "|>", no merges apply -> one id per byte.
    EXPECT_EQ(tok->encode("<|eot_id|>", false, false),
              (Ids{'<', '|', 'e', 'o', 't', '_', 'i', 'd', '|', '>'}));
    EXPECT_EQ(tok->encode("Hi<|eot_id|> the", false, true), (Ids{'H', 'i', kEotId, 258}));
    // The non-special added token is matched either way.
    EXPECT_EQ(tok->encode("a<sep>b", false, false), (Ids{'a', kSep, 'b'}));
    EXPECT_EQ(tok->encode("a<sep>b", false, true), (Ids{'a', kSep, 'b'}));
    EXPECT_TRUE(tok->is_control(kEotId));
    EXPECT_FALSE(tok->is_control(kSep));
    EXPECT_EQ(tok->token_bytes(kEotId), "");
    EXPECT_EQ(tok->token_bytes(kSep), "<sep>");
    EXPECT_EQ(tok->piece_to_id("<|eot_id|>"), kEotId);
    EXPECT_EQ(tok->piece_to_id("\xC4\xA0the"), 258);
    EXPECT_EQ(tok->piece_to_id("nope"), std::nullopt);
}

TEST(BpeTokenizer, BosFromPostProcessor) {
    auto tok = make_bpe();
    EXPECT_EQ(tok->bos_id(), kBeginOfText);
    EXPECT_EQ(tok->eos_id(), -1);  // no config files beside it
    EXPECT_EQ(tok->encode(" the", true), (Ids{kBeginOfText, 258}));
}

TEST(BpeTokenizer, MergeSpellingsAgree) {
    auto strings = make_bpe(false), arrays = make_bpe(true);
    for (const std::string s : {"the her don't 12345", "Hi\n\n  there", "h\xC3\xA9llo, world!"})
        EXPECT_EQ(strings->encode(s, true), arrays->encode(s, true)) << s;
    EXPECT_EQ(arrays->encode(" the", false), (Ids{258}));
}

TEST(BpeTokenizer, IgnoreMerges) {
    // " hello" by merges: Ġ h e l l o -> Ġ he l l o -> Ġ he ll o. With ignore_merges the whole
    // pre-token "Ġhello" is in the vocabulary and taken as is.
    EXPECT_EQ(make_bpe()->encode(" hello", false), (Ids{' ', 257, 271, 'o'}));
    EXPECT_EQ(make_bpe(false, PreTok::Llama3, true)->encode(" hello", false), (Ids{273}));
}

TEST(BpeTokenizer, AddPrefixSpace) {
    auto tok = make_bpe(false, PreTok::Gpt2PrefixSpace);
    EXPECT_EQ(tok->encode("the", false), (Ids{258}));  // read as " the"
}

TEST(BpeTokenizer, DecodeRoundTrips) {
    auto tok = make_bpe();
    for (const std::string s :
         {"the her don't 12345", "Hello, world!\nx = 1234567 ;  ok\n\n",
          "h\xC3\xA9llo \xE4\xB8\x96\xE7\x95\x8C", "tabs\tand\r\nCRLF", "emoji \xF0\x9F\x98\x80!"}) {
        EXPECT_EQ(tok->decode(tok->encode(s, true)), s) << s;
        EXPECT_EQ(tok->decode(tok->encode(s, false, true), false), s) << s;
    }
    // Specials print nothing; decode never strips a space for BPE.
    EXPECT_EQ(tok->decode({kBeginOfText, 258, kEotId}), " the");
    // Bytes that are not UTF-8 still encode (byte-level) and decode to U+FFFD.
    EXPECT_EQ(tok->encode("a\xFF"
                          "b",
                          false),
              (Ids{'a', 0xFF, 'b'}));
    EXPECT_EQ(tok->decode({'a', 0xFF, 'b'}),
              "a\xEF\xBF\xBD"
              "b");
    // Like Hugging Face's ByteLevel decoder (from_utf8_lossy), a broken sequence is one U+FFFD.
    EXPECT_EQ(tok->decode({0xE2, 0x88, 'A'}),
              "\xEF\xBF\xBD"
              "A");
}

TEST(BpeTokenizer, StreamingNeverSplitsACharacter) {
    auto tok = make_bpe();
    StreamingDetokenizer detok(*tok, /*strip_leading_space=*/true);  // no "▁": nothing to strip
    EXPECT_EQ(detok.push(258), " the");
    EXPECT_EQ(detok.push(0xE4), "");
    EXPECT_EQ(detok.push(0xB8), "");
    EXPECT_EQ(detok.push(0x96), "\xE4\xB8\x96");
    EXPECT_EQ(detok.push(kEotId), "");
    EXPECT_EQ(detok.push(0xF0), "");
    EXPECT_EQ(detok.flush(), "\xEF\xBF\xBD");
}

TEST(LoadTokenizer, BpeFolderReadsConfigFiles) {
    const std::string dir = test::make_temp_dir("bpe-folder");
    test::write_file(dir + "/tokenizer.json", make_tokenizer_json(false, PreTok::Llama3));
    test::write_file(
        dir + "/tokenizer_config.json",
        R"({"bos_token": "<|begin_of_text|>", "eos_token": {"content": "<|eot_id|>", "special": true},
                         "tokenizer_class": "PreTrainedTokenizerFast"})");
    test::write_file(dir + "/generation_config.json", R"({"bos_token_id": 274, "eos_token_id": [276, 275]})");
    test::write_file(dir + "/config.json", R"({"bos_token_id": 274, "eos_token_id": 276})");
    auto tok = atelier::load_tokenizer(dir);
    EXPECT_STREQ(tok->kind(), "bpe");
    EXPECT_EQ(tok->bos_id(), kBeginOfText);
    EXPECT_EQ(tok->eos_id(), kEotId);               // tokenizer_config.json wins
    EXPECT_EQ(tok->stop_ids(), (Ids{kEndOfText}));  // the other generation_config id, once

    // Without tokenizer_config.json: the first eos id is eos, the others stop ids.
    const std::string dir2 = test::make_temp_dir("bpe-folder2");
    test::write_file(dir2 + "/tokenizer.json", make_tokenizer_json(false, PreTok::Llama3));
    test::write_file(dir2 + "/generation_config.json", R"({"eos_token_id": [276, 275]})");
    auto tok2 = atelier::load_tokenizer(dir2 + "/tokenizer.json");
    EXPECT_EQ(tok2->eos_id(), kEndOfText);
    EXPECT_EQ(tok2->stop_ids(), (Ids{kEotId}));

    // A named token the vocabulary lacks, or broken JSON beside the tokenizer, is an error.
    test::write_file(dir2 + "/tokenizer_config.json", R"({"eos_token": "<|nope|>"})");
    EXPECT_EQ(error_code_of([&] { atelier::load_tokenizer(dir2); }), ErrorCode::Tokenizer);
    test::write_file(dir2 + "/tokenizer_config.json", R"({"eos_token": )");
    EXPECT_EQ(error_code_of([&] { atelier::load_tokenizer(dir2); }), ErrorCode::BadJson);
}

TEST(LoadTokenizer, FolderWithBothFilesPrefersByteLevelJson) {
    const std::string dir = test::make_temp_dir("both");
    test::write_file(dir + "/tokenizer.json", make_tokenizer_json(false, PreTok::Llama3));
    test::write_file(dir + "/tokenizer.model",
                     test::read_file(test::fixture("stories260K/hf/tokenizer.model")));
    EXPECT_STREQ(atelier::load_tokenizer(dir)->kind(), "bpe");
    // A converted (Metaspace) tokenizer.json next to the SentencePiece model: take the model.
    test::write_file(dir + "/tokenizer.json",
                     R"({"model": {"type": "BPE", "vocab": {}}, "pre_tokenizer": {"type": "Metaspace"}})");
    EXPECT_STREQ(atelier::load_tokenizer(dir)->kind(), "sentencepiece");
}

}  // namespace

// Our SentencePiece encoder (SpmModel) against libsentencepiece, the reference implementation, on
// the real stories260K model and on models trained here for each option we support.
namespace {

std::vector<std::string> parity_texts() {
    std::vector<std::string> texts = {"Once upon a time",
                                      "Hello world",
                                      "  two  spaces  ",
                                      "h\xC3\xA9llo \xE4\xB8\x96\xE7\x95\x8C \xF0\x9F\x8E\x89",
                                      "Lily's mom said, \"Don't worry.\"\n\nNew para\ttab",
                                      "",
                                      " ",
                                      "12345 + 678 = 99",
                                      "<sep>hi<sep>there",
                                      "\xC3\x80\xC3\x89\xC3\x8E \xC3\xB1 \xC3\xA7",
                                      "the quick brown fox jumps over the lazy dog"};
    // Random strings over a mixed alphabet, multi-byte characters included.
    const std::vector<std::string> alphabet = {"a",
                                               "e",
                                               "t",
                                               "h",
                                               " ",
                                               "  ",
                                               "o",
                                               "n",
                                               "\n",
                                               "\xC3\xA9",
                                               "\xE4\xB8\x96",
                                               "!",
                                               "1",
                                               "Q",
                                               "<sep>",
                                               "\xF0\x9F\x98\x80",
                                               "ly",
                                               "the"};
    std::mt19937 rng(99);
    for (int i = 0; i < 200; ++i) {
        std::string s;
        for (int n = rng() % 24; n > 0; --n) s += alphabet[rng() % alphabet.size()];
        texts.push_back(s);
    }
    return texts;
}

void expect_encoder_parity(const std::string& model_path) {
    sentencepiece::SentencePieceProcessor sp;
    ASSERT_TRUE(sp.Load(model_path).ok()) << model_path;
    atelier::SpmModel ours = atelier::SpmModel::load(model_path);
    for (const auto& text : parity_texts()) {
        std::vector<int> expected;
        ASSERT_TRUE(sp.Encode(text, &expected).ok());
        EXPECT_EQ(ours.encode(text), expected) << model_path << ": [" << text << "]";
    }
}

}  // namespace

TEST(SpmModelParity, StoriesTokenizerMatchesLibSentencePiece) {
    expect_encoder_parity(test::fixture("stories260K/hf/tokenizer.model"));
}

TEST(SpmModelParity, TrainedModelsMatchLibSentencePiece) {
    const std::string dir = test::make_temp_dir("spm");
    std::string corpus;
    const std::vector<std::string> words = {"the",
                                            "quick",
                                            "brown",
                                            "fox",
                                            "once",
                                            "upon",
                                            "a",
                                            "time",
                                            "little",
                                            "girl",
                                            "named",
                                            "lily",
                                            "park",
                                            "h\xC3\xA9llo",
                                            "w\xC3\xB6rld",
                                            "\xE4\xB8\x96\xE7\x95\x8C",
                                            "caf\xC3\xA9",
                                            "12",
                                            "345"};
    std::mt19937 rng(1);
    for (int line = 0; line < 3000; ++line) {
        for (int n = 3 + rng() % 10; n > 0; --n) corpus += words[rng() % words.size()] + " ";
        corpus += "\n";
    }
    test::write_file(dir + "/corpus.txt", corpus);
    const std::vector<std::pair<std::string, std::string>> models = {
        {"bpe", "--model_type=bpe --vocab_size=120 --user_defined_symbols=<sep>"},
        {"bpe_bytes", "--model_type=bpe --vocab_size=330 --byte_fallback=true --character_coverage=0.98"},
        {"unigram", "--model_type=unigram --vocab_size=100 --remove_extra_whitespaces=false"},
        {"unigram_bytes",
         "--model_type=unigram --vocab_size=330 --byte_fallback=true --character_coverage=0.98"},
    };
    for (const auto& [name, options] : models) {
        const std::string prefix = dir + "/" + name;
        auto status = sentencepiece::SentencePieceTrainer::Train(
            "--input=" + dir + "/corpus.txt --model_prefix=" + prefix +
            " --normalization_rule_name=identity"
            " --hard_vocab_limit=false --minloglevel=2 " +
            options);
        ASSERT_TRUE(status.ok()) << name << ": " << status.ToString();
        expect_encoder_parity(prefix + ".model");
    }
}

TEST(SpmModelParity, UnsupportedNormalizerIsRefused) {
    const std::string dir = test::make_temp_dir("spm_nfkc");
    std::string corpus;
    for (int i = 0; i < 500; ++i) corpus += "some words here and there " + std::to_string(i % 7) + "\n";
    test::write_file(dir + "/corpus.txt", corpus);
    ASSERT_TRUE(sentencepiece::SentencePieceTrainer::Train(
                    "--input=" + dir + "/corpus.txt --model_prefix=" + dir +
                    "/nfkc --vocab_size=40 --hard_vocab_limit=false --minloglevel=2")
                    .ok());
    try {
        atelier::SpmModel::load(dir + "/nfkc.model");
        ADD_FAILURE() << "nmt_nfkc accepted";
    } catch (const atelier::Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Tokenizer);
        EXPECT_NE(std::string(e.what()).find("nmt_nfkc"), std::string::npos);
    }
}

// --- hostile SentencePiece models (issue 12) ---

namespace {

// A SentencePiece ModelProto written by hand: pieces (text, score, type), a unigram TrainerSpec
// with unk 0, bos 1, eos 2, and the identity normalizer.
std::string spm_proto(const std::vector<std::tuple<std::string, float, int>>& pieces) {
    auto varint = [](std::string& out, uint64_t v) {
        while (v >= 0x80) {
            out += static_cast<char>((v & 0x7f) | 0x80);
            v >>= 7;
        }
        out += static_cast<char>(v);
    };
    auto field = [&](std::string& out, int number, const std::string& bytes) {
        varint(out, static_cast<uint64_t>(number) << 3 | 2);
        varint(out, bytes.size());
        out += bytes;
    };
    std::string model;
    for (const auto& [text, score, type] : pieces) {
        std::string piece;
        field(piece, 1, text);
        piece += static_cast<char>(2 << 3 | 5);
        char raw[4];
        std::memcpy(raw, &score, 4);
        piece.append(raw, 4);
        varint(piece, 3 << 3);
        varint(piece, static_cast<uint64_t>(type));
        field(model, 1, piece);
    }
    std::string trainer;
    varint(trainer, 3 << 3);
    varint(trainer, 1);  // unigram
    field(model, 2, trainer);
    std::string normalizer;
    field(normalizer, 1, "identity");
    field(model, 3, normalizer);
    return model;
}

std::vector<std::tuple<std::string, float, int>> small_vocab() {
    return {{"<unk>", 0.0f, 2}, {"<s>", 0.0f, 3}, {"</s>", 0.0f, 3}, {"\xe2\x96\x81", -1.0f, 1},
            {"a", -2.0f, 1},    {"b", -2.5f, 1},  {"ab", -1.5f, 1},  {"\xe2\x96\x81ab", -1.2f, 1}};
}

}  // namespace

TEST(SpmModelHostile, ANonFiniteScoreIsRefusedOnLoad) {
    // Before the fix, a -inf or NaN score made the end of the Viterbi lattice unreachable and the
    // back-trace read from[-1]: a crash on the first message.
    const std::string good = spm_proto(small_vocab());
    EXPECT_EQ(atelier::SpmModel::parse(good, "good.model").encode("ab ab"),
              atelier::SpmModel::parse(good, "good.model").encode("ab ab"));
    for (float bad : {-std::numeric_limits<float>::infinity(), std::numeric_limits<float>::infinity(),
                      std::numeric_limits<float>::quiet_NaN()}) {
        auto vocab = small_vocab();
        std::get<1>(vocab[6]) = bad;
        try {
            atelier::SpmModel::parse(spm_proto(vocab), "bad.model");
            ADD_FAILURE() << "a score of " << bad << " was accepted";
        } catch (const atelier::Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::Tokenizer);
            EXPECT_NE(std::string(e.what()).find("bad.model"), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("piece 6"), std::string::npos) << e.what();
        }
    }
    // Scores at the ends of float's range add up without overflowing to -inf.
    auto vocab = small_vocab();
    for (auto& p : vocab)
        if (std::get<2>(p) == 1) std::get<1>(p) = -std::numeric_limits<float>::max();
    const atelier::SpmModel extreme = atelier::SpmModel::parse(spm_proto(vocab), "extreme.model");
    EXPECT_FALSE(extreme.encode(std::string(64, 'a') + " b c").empty());
}

TEST(SpmModelHostile, AHugePieceIsRefusedAndEncodingStaysLinear) {
    auto vocab = small_vocab();
    vocab.push_back({std::string(100 * 1024, 'a'), -1.0f, 1});
    try {
        atelier::SpmModel::parse(spm_proto(vocab), "huge.model");
        ADD_FAILURE() << "a 100 KB piece was accepted";
    } catch (const atelier::Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Tokenizer);
        EXPECT_NE(std::string(e.what()).find("102400 bytes"), std::string::npos) << e.what();
    }
    // The longest piece allowed, and a long text made of its prefix: one trie walk per position.
    vocab.back() = {std::string(atelier::SpmModel::kMaxPieceBytes, 'a'), -1.0f, 1};
    const atelier::SpmModel m = atelier::SpmModel::parse(spm_proto(vocab), "long.model");
    const auto t0 = std::chrono::steady_clock::now();
    const auto ids = m.encode(std::string(20000, 'a'));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_FALSE(ids.empty());
    // A hang detector, not a benchmark: one substring hash per length and position (the code before)
    // is ~10^10 byte operations here, tens of seconds to minutes; the trie walk takes well under one.
    EXPECT_LT(seconds, 20.0);
}

TEST(BpeTokenizerHostile, AnIdNearIntMaxIsRefusedNotAllocated) {
    // Before the fix, an id near INT_MAX sized the id tables at ~128 GiB (and max_id + 1 overflowed).
    const std::string dir = test::make_temp_dir("bpe_hostile");
    for (const int64_t id : {int64_t(2147483647), int64_t(2147483648), int64_t(1) << 21, int64_t(-1)}) {
        for (const bool added : {false, true}) {
            json root = json::parse(make_tokenizer_json(false, PreTok::Gpt2));
            if (added)
                root["added_tokens"][0]["id"] = id;
            else
                root["model"]["vocab"]["hello"] = id;
            test::write_file(dir + "/tokenizer.json", root.dump());
            try {
                atelier::load_bpe_tokenizer(dir + "/tokenizer.json");
                ADD_FAILURE() << "id " << id << " accepted";
            } catch (const atelier::Error& e) {
                EXPECT_EQ(e.code(), ErrorCode::Tokenizer) << e.what();
                EXPECT_NE(std::string(e.what()).find(std::to_string(id)), std::string::npos) << e.what();
            }
        }
    }
    // A real-sized sparse vocabulary (an added token at 128000, as Llama 3 has) still loads.
    json root = json::parse(make_tokenizer_json(false, PreTok::Gpt2));
    root["added_tokens"][0]["id"] = 128000;
    test::write_file(dir + "/tokenizer.json", root.dump());
    EXPECT_EQ(atelier::load_bpe_tokenizer(dir + "/tokenizer.json")->vocab_size(), 128001);
}
