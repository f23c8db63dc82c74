/* SPDX-License-Identifier: Apache-2.0 */
/* expand.c - see expand.h.
 *
 * This follows BuildKit's shell.Lex (frontend/dockerfile/shell/lex.go)
 * function by function: stop_on is processStopOn, single_quote and
 * double_quote are processSingleQuote and processDoubleQuote, dollar is
 * processDollar, read_name is processName, and struct words is wordsStruct.
 * The input is read rune by rune, as Go's text/scanner reads it, so that
 * invalid UTF-8 and Unicode names behave as they do in BuildKit. The pattern
 * operators (#, %, /) turn the pattern into a small program for the same
 * leftmost-first matching Go's regexp does, instead of a regular expression.
 */
#include "syntax/expand.h"

#include "syntax/source.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KF_EOF (-1)
#define KF_RUNE_ERROR 0xfffd
#define KF_BOM 0xfeff

/* ---- UTF-8, as Go decodes it ---------------------------------------- */

/* Decodes one rune of p[0..n), n > 0. A byte that does not start valid
 * UTF-8 (also overlong forms and surrogates) is U+FFFD of width 1, as in
 * Go's utf8.DecodeRune. */
static int32_t decode(const char *s, size_t n, size_t *width)
{
	uint32_t cp;
	int len = kf_utf8_seqlen((const unsigned char *)s, n, &cp);
	if (len == 0) {
		*width = 1;
		return KF_RUNE_ERROR;
	}
	*width = (size_t)len;
	return (int32_t)cp;
}

/* ---- Unicode classes, as Go's unicode.IsLetter, IsDigit, IsSpace ------ */

struct urange {
	int32_t lo, hi;
};

/* Generated from ICU 72 (Unicode 15.0, the version of Go 1.21 and later):
 * the letters (Lu Ll Lt Lm Lo), decimal digits (Nd) and White_Space
 * characters from U+0080 up; ASCII is handled in the functions below. */
static const struct urange uni_letter[] = {
	{0x00aa, 0x00aa}, {0x00b5, 0x00b5}, {0x00ba, 0x00ba}, {0x00c0, 0x00d6},
	{0x00d8, 0x00f6}, {0x00f8, 0x02c1}, {0x02c6, 0x02d1}, {0x02e0, 0x02e4},
	{0x02ec, 0x02ec}, {0x02ee, 0x02ee}, {0x0370, 0x0374}, {0x0376, 0x0377},
	{0x037a, 0x037d}, {0x037f, 0x037f}, {0x0386, 0x0386}, {0x0388, 0x038a},
	{0x038c, 0x038c}, {0x038e, 0x03a1}, {0x03a3, 0x03f5}, {0x03f7, 0x0481},
	{0x048a, 0x052f}, {0x0531, 0x0556}, {0x0559, 0x0559}, {0x0560, 0x0588},
	{0x05d0, 0x05ea}, {0x05ef, 0x05f2}, {0x0620, 0x064a}, {0x066e, 0x066f},
	{0x0671, 0x06d3}, {0x06d5, 0x06d5}, {0x06e5, 0x06e6}, {0x06ee, 0x06ef},
	{0x06fa, 0x06fc}, {0x06ff, 0x06ff}, {0x0710, 0x0710}, {0x0712, 0x072f},
	{0x074d, 0x07a5}, {0x07b1, 0x07b1}, {0x07ca, 0x07ea}, {0x07f4, 0x07f5},
	{0x07fa, 0x07fa}, {0x0800, 0x0815}, {0x081a, 0x081a}, {0x0824, 0x0824},
	{0x0828, 0x0828}, {0x0840, 0x0858}, {0x0860, 0x086a}, {0x0870, 0x0887},
	{0x0889, 0x088e}, {0x08a0, 0x08c9}, {0x0904, 0x0939}, {0x093d, 0x093d},
	{0x0950, 0x0950}, {0x0958, 0x0961}, {0x0971, 0x0980}, {0x0985, 0x098c},
	{0x098f, 0x0990}, {0x0993, 0x09a8}, {0x09aa, 0x09b0}, {0x09b2, 0x09b2},
	{0x09b6, 0x09b9}, {0x09bd, 0x09bd}, {0x09ce, 0x09ce}, {0x09dc, 0x09dd},
	{0x09df, 0x09e1}, {0x09f0, 0x09f1}, {0x09fc, 0x09fc}, {0x0a05, 0x0a0a},
	{0x0a0f, 0x0a10}, {0x0a13, 0x0a28}, {0x0a2a, 0x0a30}, {0x0a32, 0x0a33},
	{0x0a35, 0x0a36}, {0x0a38, 0x0a39}, {0x0a59, 0x0a5c}, {0x0a5e, 0x0a5e},
	{0x0a72, 0x0a74}, {0x0a85, 0x0a8d}, {0x0a8f, 0x0a91}, {0x0a93, 0x0aa8},
	{0x0aaa, 0x0ab0}, {0x0ab2, 0x0ab3}, {0x0ab5, 0x0ab9}, {0x0abd, 0x0abd},
	{0x0ad0, 0x0ad0}, {0x0ae0, 0x0ae1}, {0x0af9, 0x0af9}, {0x0b05, 0x0b0c},
	{0x0b0f, 0x0b10}, {0x0b13, 0x0b28}, {0x0b2a, 0x0b30}, {0x0b32, 0x0b33},
	{0x0b35, 0x0b39}, {0x0b3d, 0x0b3d}, {0x0b5c, 0x0b5d}, {0x0b5f, 0x0b61},
	{0x0b71, 0x0b71}, {0x0b83, 0x0b83}, {0x0b85, 0x0b8a}, {0x0b8e, 0x0b90},
	{0x0b92, 0x0b95}, {0x0b99, 0x0b9a}, {0x0b9c, 0x0b9c}, {0x0b9e, 0x0b9f},
	{0x0ba3, 0x0ba4}, {0x0ba8, 0x0baa}, {0x0bae, 0x0bb9}, {0x0bd0, 0x0bd0},
	{0x0c05, 0x0c0c}, {0x0c0e, 0x0c10}, {0x0c12, 0x0c28}, {0x0c2a, 0x0c39},
	{0x0c3d, 0x0c3d}, {0x0c58, 0x0c5a}, {0x0c5d, 0x0c5d}, {0x0c60, 0x0c61},
	{0x0c80, 0x0c80}, {0x0c85, 0x0c8c}, {0x0c8e, 0x0c90}, {0x0c92, 0x0ca8},
	{0x0caa, 0x0cb3}, {0x0cb5, 0x0cb9}, {0x0cbd, 0x0cbd}, {0x0cdd, 0x0cde},
	{0x0ce0, 0x0ce1}, {0x0cf1, 0x0cf2}, {0x0d04, 0x0d0c}, {0x0d0e, 0x0d10},
	{0x0d12, 0x0d3a}, {0x0d3d, 0x0d3d}, {0x0d4e, 0x0d4e}, {0x0d54, 0x0d56},
	{0x0d5f, 0x0d61}, {0x0d7a, 0x0d7f}, {0x0d85, 0x0d96}, {0x0d9a, 0x0db1},
	{0x0db3, 0x0dbb}, {0x0dbd, 0x0dbd}, {0x0dc0, 0x0dc6}, {0x0e01, 0x0e30},
	{0x0e32, 0x0e33}, {0x0e40, 0x0e46}, {0x0e81, 0x0e82}, {0x0e84, 0x0e84},
	{0x0e86, 0x0e8a}, {0x0e8c, 0x0ea3}, {0x0ea5, 0x0ea5}, {0x0ea7, 0x0eb0},
	{0x0eb2, 0x0eb3}, {0x0ebd, 0x0ebd}, {0x0ec0, 0x0ec4}, {0x0ec6, 0x0ec6},
	{0x0edc, 0x0edf}, {0x0f00, 0x0f00}, {0x0f40, 0x0f47}, {0x0f49, 0x0f6c},
	{0x0f88, 0x0f8c}, {0x1000, 0x102a}, {0x103f, 0x103f}, {0x1050, 0x1055},
	{0x105a, 0x105d}, {0x1061, 0x1061}, {0x1065, 0x1066}, {0x106e, 0x1070},
	{0x1075, 0x1081}, {0x108e, 0x108e}, {0x10a0, 0x10c5}, {0x10c7, 0x10c7},
	{0x10cd, 0x10cd}, {0x10d0, 0x10fa}, {0x10fc, 0x1248}, {0x124a, 0x124d},
	{0x1250, 0x1256}, {0x1258, 0x1258}, {0x125a, 0x125d}, {0x1260, 0x1288},
	{0x128a, 0x128d}, {0x1290, 0x12b0}, {0x12b2, 0x12b5}, {0x12b8, 0x12be},
	{0x12c0, 0x12c0}, {0x12c2, 0x12c5}, {0x12c8, 0x12d6}, {0x12d8, 0x1310},
	{0x1312, 0x1315}, {0x1318, 0x135a}, {0x1380, 0x138f}, {0x13a0, 0x13f5},
	{0x13f8, 0x13fd}, {0x1401, 0x166c}, {0x166f, 0x167f}, {0x1681, 0x169a},
	{0x16a0, 0x16ea}, {0x16f1, 0x16f8}, {0x1700, 0x1711}, {0x171f, 0x1731},
	{0x1740, 0x1751}, {0x1760, 0x176c}, {0x176e, 0x1770}, {0x1780, 0x17b3},
	{0x17d7, 0x17d7}, {0x17dc, 0x17dc}, {0x1820, 0x1878}, {0x1880, 0x1884},
	{0x1887, 0x18a8}, {0x18aa, 0x18aa}, {0x18b0, 0x18f5}, {0x1900, 0x191e},
	{0x1950, 0x196d}, {0x1970, 0x1974}, {0x1980, 0x19ab}, {0x19b0, 0x19c9},
	{0x1a00, 0x1a16}, {0x1a20, 0x1a54}, {0x1aa7, 0x1aa7}, {0x1b05, 0x1b33},
	{0x1b45, 0x1b4c}, {0x1b83, 0x1ba0}, {0x1bae, 0x1baf}, {0x1bba, 0x1be5},
	{0x1c00, 0x1c23}, {0x1c4d, 0x1c4f}, {0x1c5a, 0x1c7d}, {0x1c80, 0x1c88},
	{0x1c90, 0x1cba}, {0x1cbd, 0x1cbf}, {0x1ce9, 0x1cec}, {0x1cee, 0x1cf3},
	{0x1cf5, 0x1cf6}, {0x1cfa, 0x1cfa}, {0x1d00, 0x1dbf}, {0x1e00, 0x1f15},
	{0x1f18, 0x1f1d}, {0x1f20, 0x1f45}, {0x1f48, 0x1f4d}, {0x1f50, 0x1f57},
	{0x1f59, 0x1f59}, {0x1f5b, 0x1f5b}, {0x1f5d, 0x1f5d}, {0x1f5f, 0x1f7d},
	{0x1f80, 0x1fb4}, {0x1fb6, 0x1fbc}, {0x1fbe, 0x1fbe}, {0x1fc2, 0x1fc4},
	{0x1fc6, 0x1fcc}, {0x1fd0, 0x1fd3}, {0x1fd6, 0x1fdb}, {0x1fe0, 0x1fec},
	{0x1ff2, 0x1ff4}, {0x1ff6, 0x1ffc}, {0x2071, 0x2071}, {0x207f, 0x207f},
	{0x2090, 0x209c}, {0x2102, 0x2102}, {0x2107, 0x2107}, {0x210a, 0x2113},
	{0x2115, 0x2115}, {0x2119, 0x211d}, {0x2124, 0x2124}, {0x2126, 0x2126},
	{0x2128, 0x2128}, {0x212a, 0x212d}, {0x212f, 0x2139}, {0x213c, 0x213f},
	{0x2145, 0x2149}, {0x214e, 0x214e}, {0x2183, 0x2184}, {0x2c00, 0x2ce4},
	{0x2ceb, 0x2cee}, {0x2cf2, 0x2cf3}, {0x2d00, 0x2d25}, {0x2d27, 0x2d27},
	{0x2d2d, 0x2d2d}, {0x2d30, 0x2d67}, {0x2d6f, 0x2d6f}, {0x2d80, 0x2d96},
	{0x2da0, 0x2da6}, {0x2da8, 0x2dae}, {0x2db0, 0x2db6}, {0x2db8, 0x2dbe},
	{0x2dc0, 0x2dc6}, {0x2dc8, 0x2dce}, {0x2dd0, 0x2dd6}, {0x2dd8, 0x2dde},
	{0x2e2f, 0x2e2f}, {0x3005, 0x3006}, {0x3031, 0x3035}, {0x303b, 0x303c},
	{0x3041, 0x3096}, {0x309d, 0x309f}, {0x30a1, 0x30fa}, {0x30fc, 0x30ff},
	{0x3105, 0x312f}, {0x3131, 0x318e}, {0x31a0, 0x31bf}, {0x31f0, 0x31ff},
	{0x3400, 0x4dbf}, {0x4e00, 0xa48c}, {0xa4d0, 0xa4fd}, {0xa500, 0xa60c},
	{0xa610, 0xa61f}, {0xa62a, 0xa62b}, {0xa640, 0xa66e}, {0xa67f, 0xa69d},
	{0xa6a0, 0xa6e5}, {0xa717, 0xa71f}, {0xa722, 0xa788}, {0xa78b, 0xa7ca},
	{0xa7d0, 0xa7d1}, {0xa7d3, 0xa7d3}, {0xa7d5, 0xa7d9}, {0xa7f2, 0xa801},
	{0xa803, 0xa805}, {0xa807, 0xa80a}, {0xa80c, 0xa822}, {0xa840, 0xa873},
	{0xa882, 0xa8b3}, {0xa8f2, 0xa8f7}, {0xa8fb, 0xa8fb}, {0xa8fd, 0xa8fe},
	{0xa90a, 0xa925}, {0xa930, 0xa946}, {0xa960, 0xa97c}, {0xa984, 0xa9b2},
	{0xa9cf, 0xa9cf}, {0xa9e0, 0xa9e4}, {0xa9e6, 0xa9ef}, {0xa9fa, 0xa9fe},
	{0xaa00, 0xaa28}, {0xaa40, 0xaa42}, {0xaa44, 0xaa4b}, {0xaa60, 0xaa76},
	{0xaa7a, 0xaa7a}, {0xaa7e, 0xaaaf}, {0xaab1, 0xaab1}, {0xaab5, 0xaab6},
	{0xaab9, 0xaabd}, {0xaac0, 0xaac0}, {0xaac2, 0xaac2}, {0xaadb, 0xaadd},
	{0xaae0, 0xaaea}, {0xaaf2, 0xaaf4}, {0xab01, 0xab06}, {0xab09, 0xab0e},
	{0xab11, 0xab16}, {0xab20, 0xab26}, {0xab28, 0xab2e}, {0xab30, 0xab5a},
	{0xab5c, 0xab69}, {0xab70, 0xabe2}, {0xac00, 0xd7a3}, {0xd7b0, 0xd7c6},
	{0xd7cb, 0xd7fb}, {0xf900, 0xfa6d}, {0xfa70, 0xfad9}, {0xfb00, 0xfb06},
	{0xfb13, 0xfb17}, {0xfb1d, 0xfb1d}, {0xfb1f, 0xfb28}, {0xfb2a, 0xfb36},
	{0xfb38, 0xfb3c}, {0xfb3e, 0xfb3e}, {0xfb40, 0xfb41}, {0xfb43, 0xfb44},
	{0xfb46, 0xfbb1}, {0xfbd3, 0xfd3d}, {0xfd50, 0xfd8f}, {0xfd92, 0xfdc7},
	{0xfdf0, 0xfdfb}, {0xfe70, 0xfe74}, {0xfe76, 0xfefc}, {0xff21, 0xff3a},
	{0xff41, 0xff5a}, {0xff66, 0xffbe}, {0xffc2, 0xffc7}, {0xffca, 0xffcf},
	{0xffd2, 0xffd7}, {0xffda, 0xffdc}, {0x10000, 0x1000b}, {0x1000d, 0x10026},
	{0x10028, 0x1003a}, {0x1003c, 0x1003d}, {0x1003f, 0x1004d}, {0x10050, 0x1005d},
	{0x10080, 0x100fa}, {0x10280, 0x1029c}, {0x102a0, 0x102d0}, {0x10300, 0x1031f},
	{0x1032d, 0x10340}, {0x10342, 0x10349}, {0x10350, 0x10375}, {0x10380, 0x1039d},
	{0x103a0, 0x103c3}, {0x103c8, 0x103cf}, {0x10400, 0x1049d}, {0x104b0, 0x104d3},
	{0x104d8, 0x104fb}, {0x10500, 0x10527}, {0x10530, 0x10563}, {0x10570, 0x1057a},
	{0x1057c, 0x1058a}, {0x1058c, 0x10592}, {0x10594, 0x10595}, {0x10597, 0x105a1},
	{0x105a3, 0x105b1}, {0x105b3, 0x105b9}, {0x105bb, 0x105bc}, {0x10600, 0x10736},
	{0x10740, 0x10755}, {0x10760, 0x10767}, {0x10780, 0x10785}, {0x10787, 0x107b0},
	{0x107b2, 0x107ba}, {0x10800, 0x10805}, {0x10808, 0x10808}, {0x1080a, 0x10835},
	{0x10837, 0x10838}, {0x1083c, 0x1083c}, {0x1083f, 0x10855}, {0x10860, 0x10876},
	{0x10880, 0x1089e}, {0x108e0, 0x108f2}, {0x108f4, 0x108f5}, {0x10900, 0x10915},
	{0x10920, 0x10939}, {0x10980, 0x109b7}, {0x109be, 0x109bf}, {0x10a00, 0x10a00},
	{0x10a10, 0x10a13}, {0x10a15, 0x10a17}, {0x10a19, 0x10a35}, {0x10a60, 0x10a7c},
	{0x10a80, 0x10a9c}, {0x10ac0, 0x10ac7}, {0x10ac9, 0x10ae4}, {0x10b00, 0x10b35},
	{0x10b40, 0x10b55}, {0x10b60, 0x10b72}, {0x10b80, 0x10b91}, {0x10c00, 0x10c48},
	{0x10c80, 0x10cb2}, {0x10cc0, 0x10cf2}, {0x10d00, 0x10d23}, {0x10e80, 0x10ea9},
	{0x10eb0, 0x10eb1}, {0x10f00, 0x10f1c}, {0x10f27, 0x10f27}, {0x10f30, 0x10f45},
	{0x10f70, 0x10f81}, {0x10fb0, 0x10fc4}, {0x10fe0, 0x10ff6}, {0x11003, 0x11037},
	{0x11071, 0x11072}, {0x11075, 0x11075}, {0x11083, 0x110af}, {0x110d0, 0x110e8},
	{0x11103, 0x11126}, {0x11144, 0x11144}, {0x11147, 0x11147}, {0x11150, 0x11172},
	{0x11176, 0x11176}, {0x11183, 0x111b2}, {0x111c1, 0x111c4}, {0x111da, 0x111da},
	{0x111dc, 0x111dc}, {0x11200, 0x11211}, {0x11213, 0x1122b}, {0x1123f, 0x11240},
	{0x11280, 0x11286}, {0x11288, 0x11288}, {0x1128a, 0x1128d}, {0x1128f, 0x1129d},
	{0x1129f, 0x112a8}, {0x112b0, 0x112de}, {0x11305, 0x1130c}, {0x1130f, 0x11310},
	{0x11313, 0x11328}, {0x1132a, 0x11330}, {0x11332, 0x11333}, {0x11335, 0x11339},
	{0x1133d, 0x1133d}, {0x11350, 0x11350}, {0x1135d, 0x11361}, {0x11400, 0x11434},
	{0x11447, 0x1144a}, {0x1145f, 0x11461}, {0x11480, 0x114af}, {0x114c4, 0x114c5},
	{0x114c7, 0x114c7}, {0x11580, 0x115ae}, {0x115d8, 0x115db}, {0x11600, 0x1162f},
	{0x11644, 0x11644}, {0x11680, 0x116aa}, {0x116b8, 0x116b8}, {0x11700, 0x1171a},
	{0x11740, 0x11746}, {0x11800, 0x1182b}, {0x118a0, 0x118df}, {0x118ff, 0x11906},
	{0x11909, 0x11909}, {0x1190c, 0x11913}, {0x11915, 0x11916}, {0x11918, 0x1192f},
	{0x1193f, 0x1193f}, {0x11941, 0x11941}, {0x119a0, 0x119a7}, {0x119aa, 0x119d0},
	{0x119e1, 0x119e1}, {0x119e3, 0x119e3}, {0x11a00, 0x11a00}, {0x11a0b, 0x11a32},
	{0x11a3a, 0x11a3a}, {0x11a50, 0x11a50}, {0x11a5c, 0x11a89}, {0x11a9d, 0x11a9d},
	{0x11ab0, 0x11af8}, {0x11c00, 0x11c08}, {0x11c0a, 0x11c2e}, {0x11c40, 0x11c40},
	{0x11c72, 0x11c8f}, {0x11d00, 0x11d06}, {0x11d08, 0x11d09}, {0x11d0b, 0x11d30},
	{0x11d46, 0x11d46}, {0x11d60, 0x11d65}, {0x11d67, 0x11d68}, {0x11d6a, 0x11d89},
	{0x11d98, 0x11d98}, {0x11ee0, 0x11ef2}, {0x11f02, 0x11f02}, {0x11f04, 0x11f10},
	{0x11f12, 0x11f33}, {0x11fb0, 0x11fb0}, {0x12000, 0x12399}, {0x12480, 0x12543},
	{0x12f90, 0x12ff0}, {0x13000, 0x1342f}, {0x13441, 0x13446}, {0x14400, 0x14646},
	{0x16800, 0x16a38}, {0x16a40, 0x16a5e}, {0x16a70, 0x16abe}, {0x16ad0, 0x16aed},
	{0x16b00, 0x16b2f}, {0x16b40, 0x16b43}, {0x16b63, 0x16b77}, {0x16b7d, 0x16b8f},
	{0x16e40, 0x16e7f}, {0x16f00, 0x16f4a}, {0x16f50, 0x16f50}, {0x16f93, 0x16f9f},
	{0x16fe0, 0x16fe1}, {0x16fe3, 0x16fe3}, {0x17000, 0x187f7}, {0x18800, 0x18cd5},
	{0x18d00, 0x18d08}, {0x1aff0, 0x1aff3}, {0x1aff5, 0x1affb}, {0x1affd, 0x1affe},
	{0x1b000, 0x1b122}, {0x1b132, 0x1b132}, {0x1b150, 0x1b152}, {0x1b155, 0x1b155},
	{0x1b164, 0x1b167}, {0x1b170, 0x1b2fb}, {0x1bc00, 0x1bc6a}, {0x1bc70, 0x1bc7c},
	{0x1bc80, 0x1bc88}, {0x1bc90, 0x1bc99}, {0x1d400, 0x1d454}, {0x1d456, 0x1d49c},
	{0x1d49e, 0x1d49f}, {0x1d4a2, 0x1d4a2}, {0x1d4a5, 0x1d4a6}, {0x1d4a9, 0x1d4ac},
	{0x1d4ae, 0x1d4b9}, {0x1d4bb, 0x1d4bb}, {0x1d4bd, 0x1d4c3}, {0x1d4c5, 0x1d505},
	{0x1d507, 0x1d50a}, {0x1d50d, 0x1d514}, {0x1d516, 0x1d51c}, {0x1d51e, 0x1d539},
	{0x1d53b, 0x1d53e}, {0x1d540, 0x1d544}, {0x1d546, 0x1d546}, {0x1d54a, 0x1d550},
	{0x1d552, 0x1d6a5}, {0x1d6a8, 0x1d6c0}, {0x1d6c2, 0x1d6da}, {0x1d6dc, 0x1d6fa},
	{0x1d6fc, 0x1d714}, {0x1d716, 0x1d734}, {0x1d736, 0x1d74e}, {0x1d750, 0x1d76e},
	{0x1d770, 0x1d788}, {0x1d78a, 0x1d7a8}, {0x1d7aa, 0x1d7c2}, {0x1d7c4, 0x1d7cb},
	{0x1df00, 0x1df1e}, {0x1df25, 0x1df2a}, {0x1e030, 0x1e06d}, {0x1e100, 0x1e12c},
	{0x1e137, 0x1e13d}, {0x1e14e, 0x1e14e}, {0x1e290, 0x1e2ad}, {0x1e2c0, 0x1e2eb},
	{0x1e4d0, 0x1e4eb}, {0x1e7e0, 0x1e7e6}, {0x1e7e8, 0x1e7eb}, {0x1e7ed, 0x1e7ee},
	{0x1e7f0, 0x1e7fe}, {0x1e800, 0x1e8c4}, {0x1e900, 0x1e943}, {0x1e94b, 0x1e94b},
	{0x1ee00, 0x1ee03}, {0x1ee05, 0x1ee1f}, {0x1ee21, 0x1ee22}, {0x1ee24, 0x1ee24},
	{0x1ee27, 0x1ee27}, {0x1ee29, 0x1ee32}, {0x1ee34, 0x1ee37}, {0x1ee39, 0x1ee39},
	{0x1ee3b, 0x1ee3b}, {0x1ee42, 0x1ee42}, {0x1ee47, 0x1ee47}, {0x1ee49, 0x1ee49},
	{0x1ee4b, 0x1ee4b}, {0x1ee4d, 0x1ee4f}, {0x1ee51, 0x1ee52}, {0x1ee54, 0x1ee54},
	{0x1ee57, 0x1ee57}, {0x1ee59, 0x1ee59}, {0x1ee5b, 0x1ee5b}, {0x1ee5d, 0x1ee5d},
	{0x1ee5f, 0x1ee5f}, {0x1ee61, 0x1ee62}, {0x1ee64, 0x1ee64}, {0x1ee67, 0x1ee6a},
	{0x1ee6c, 0x1ee72}, {0x1ee74, 0x1ee77}, {0x1ee79, 0x1ee7c}, {0x1ee7e, 0x1ee7e},
	{0x1ee80, 0x1ee89}, {0x1ee8b, 0x1ee9b}, {0x1eea1, 0x1eea3}, {0x1eea5, 0x1eea9},
	{0x1eeab, 0x1eebb}, {0x20000, 0x2a6df}, {0x2a700, 0x2b739}, {0x2b740, 0x2b81d},
	{0x2b820, 0x2cea1}, {0x2ceb0, 0x2ebe0}, {0x2f800, 0x2fa1d}, {0x30000, 0x3134a},
	{0x31350, 0x323af},
};
static const struct urange uni_digit[] = {
	{0x0660, 0x0669}, {0x06f0, 0x06f9}, {0x07c0, 0x07c9}, {0x0966, 0x096f},
	{0x09e6, 0x09ef}, {0x0a66, 0x0a6f}, {0x0ae6, 0x0aef}, {0x0b66, 0x0b6f},
	{0x0be6, 0x0bef}, {0x0c66, 0x0c6f}, {0x0ce6, 0x0cef}, {0x0d66, 0x0d6f},
	{0x0de6, 0x0def}, {0x0e50, 0x0e59}, {0x0ed0, 0x0ed9}, {0x0f20, 0x0f29},
	{0x1040, 0x1049}, {0x1090, 0x1099}, {0x17e0, 0x17e9}, {0x1810, 0x1819},
	{0x1946, 0x194f}, {0x19d0, 0x19d9}, {0x1a80, 0x1a89}, {0x1a90, 0x1a99},
	{0x1b50, 0x1b59}, {0x1bb0, 0x1bb9}, {0x1c40, 0x1c49}, {0x1c50, 0x1c59},
	{0xa620, 0xa629}, {0xa8d0, 0xa8d9}, {0xa900, 0xa909}, {0xa9d0, 0xa9d9},
	{0xa9f0, 0xa9f9}, {0xaa50, 0xaa59}, {0xabf0, 0xabf9}, {0xff10, 0xff19},
	{0x104a0, 0x104a9}, {0x10d30, 0x10d39}, {0x11066, 0x1106f}, {0x110f0, 0x110f9},
	{0x11136, 0x1113f}, {0x111d0, 0x111d9}, {0x112f0, 0x112f9}, {0x11450, 0x11459},
	{0x114d0, 0x114d9}, {0x11650, 0x11659}, {0x116c0, 0x116c9}, {0x11730, 0x11739},
	{0x118e0, 0x118e9}, {0x11950, 0x11959}, {0x11c50, 0x11c59}, {0x11d50, 0x11d59},
	{0x11da0, 0x11da9}, {0x11f50, 0x11f59}, {0x16a60, 0x16a69}, {0x16ac0, 0x16ac9},
	{0x16b50, 0x16b59}, {0x1d7ce, 0x1d7ff}, {0x1e140, 0x1e149}, {0x1e2f0, 0x1e2f9},
	{0x1e4f0, 0x1e4f9}, {0x1e950, 0x1e959}, {0x1fbf0, 0x1fbf9},
};
static const struct urange uni_space[] = {
	{0x0085, 0x0085}, {0x00a0, 0x00a0}, {0x1680, 0x1680}, {0x2000, 0x200a},
	{0x2028, 0x2029}, {0x202f, 0x202f}, {0x205f, 0x205f}, {0x3000, 0x3000},
};

static bool in_table(const struct urange *t, size_t n, int32_t c)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c < t[mid].lo)
			hi = mid;
		else if (c > t[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

#define KF_TABLE_LEN(t) (sizeof(t) / sizeof((t)[0]))

static bool is_letter(int32_t c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
	return in_table(uni_letter, KF_TABLE_LEN(uni_letter), c);
}

static bool is_digit(int32_t c)
{
	if (c < 0x80)
		return c >= '0' && c <= '9';
	return in_table(uni_digit, KF_TABLE_LEN(uni_digit), c);
}

static bool is_space(int32_t c)
{
	if (c < 0x80)
		return c == ' ' || (c >= '\t' && c <= '\r');
	return in_table(uni_space, KF_TABLE_LEN(uni_space), c);
}

/* ---- word splitting (BuildKit's wordsStruct) --------------------------- */

struct words {
	kf_buf cur;     /* the word being built */
	bool in_word;
	kf_buf all;     /* finished words, each followed by a NUL */
	size_t *start;  /* offset of each finished word in all */
	size_t n, cap;
};

static void words_flush(struct words *w)
{
	if (!w->cur.len)
		return;
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 8;
		w->start = kf_xrealloc(w->start, w->cap * sizeof(*w->start));
	}
	w->start[w->n++] = w->all.len;
	kf_buf_add(&w->all, w->cur.ptr, w->cur.len);
	kf_buf_addc(&w->all, '\0');
	kf_buf_reset(&w->cur);
	w->in_word = false;
}

static void words_add_raw_rune(struct words *w, int32_t c)
{
	kf_buf_add_rune(&w->cur, (uint32_t)c);
	w->in_word = true;
}

/* An unquoted character: whitespace ends the current word. As in
 * BuildKit, whitespace after a word made only of "" does not end it. */
static void words_add_rune(struct words *w, int32_t c)
{
	if (is_space(c)) {
		if (w->in_word)
			words_flush(w);
	} else {
		words_add_raw_rune(w, c);
	}
}

/* Quoted text: added as it is, and it makes a word even when empty. */
static void words_add_raw(struct words *w, const char *p, size_t n)
{
	kf_buf_add(&w->cur, p, n);
	w->in_word = true;
}

/* The value of an unquoted $ reference: split on whitespace. Go ranges over
 * the string, so invalid UTF-8 in the value becomes U+FFFD here. */
static void words_add_string(struct words *w, const char *p, size_t n)
{
	size_t i = 0, width;

	while (i < n) {
		words_add_rune(w, decode(p + i, n - i, &width));
		i += width;
	}
}

static void words_release(struct words *w)
{
	kf_buf_release(&w->cur);
	kf_buf_release(&w->all);
	free(w->start);
}

/* ---- the lexer -------------------------------------------------------- */

typedef bool (*ref_fn)(void *ctx, const kf_var_ref *ref);

struct lexer {
	const char *s;
	size_t len;
	size_t pos;                /* offset of the next rune */
	int32_t esc;
	const kf_expand_env *env;  /* NULL in scan mode: nothing is set */
	bool scan;                 /* kf_expand_scan_refs: no value-dependent work */
	int depth;                 /* ${...} words we are inside */
	kf_expand_error *err;

	/* scan mode: references waiting for their top-level one to end */
	ref_fn fn;
	void *fn_ctx;
	kf_var_ref *refs;
	size_t nrefs, caprefs;
	bool stopped;              /* fn returned false */
};

static const char missing_brace[] = "missing '}' in ${...}";

static int32_t peek(struct lexer *lx, size_t *width)
{
	if (lx->pos >= lx->len) {
		*width = 0;
		return KF_EOF;
	}
	return decode(lx->s + lx->pos, lx->len - lx->pos, width);
}

static int32_t next_rune(struct lexer *lx)
{
	size_t width;
	int32_t c = peek(lx, &width);

	lx->pos += width;
	return c;
}

static bool fail(struct lexer *lx, size_t offset, const char *message)
{
	lx->err->offset = offset;
	lx->err->message = message;
	snprintf(lx->err->detail, sizeof(lx->err->detail), "%s", message);
	return false;
}

static bool failf(struct lexer *lx, size_t offset, const char *message, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool failf(struct lexer *lx, size_t offset, const char *message, const char *fmt, ...)
{
	va_list ap;

	lx->err->offset = offset;
	lx->err->message = message;
	va_start(ap, fmt);
	vsnprintf(lx->err->detail, sizeof(lx->err->detail), fmt, ap);
	va_end(ap);
	return false;
}

/* An unset variable has the value "" (never a NULL pointer). */
static bool lookup(struct lexer *lx, kf_str name, kf_str *value)
{
	*value = KF_STR_LIT("");
	if (lx->scan || !lx->env || !lx->env->lookup)
		return false;
	if (!lx->env->lookup(lx->env->ctx, name, value)) {
		*value = KF_STR_LIT("");
		return false;
	}
	if (!value->ptr)
		*value = KF_STR_LIT("");
	return true;
}

/* Scan mode: a reference is recorded when its name has been read, so that
 * the array stays in order of start offset, and completed at its end. */
static size_t ref_begin(struct lexer *lx, size_t start, size_t name_start, size_t name_end,
			bool special)
{
	kf_var_ref *r;

	if (lx->nrefs == lx->caprefs) {
		lx->caprefs = lx->caprefs ? lx->caprefs * 2 : 8;
		lx->refs = kf_xrealloc(lx->refs, lx->caprefs * sizeof(*lx->refs));
	}
	r = &lx->refs[lx->nrefs];
	memset(r, 0, sizeof(*r));
	r->start = start;
	r->name_start = name_start;
	r->name_end = name_end;
	r->word_start = r->word_end = name_end;
	r->depth = lx->depth;
	r->special = special;
	return lx->nrefs++;
}

/* Completes reference i; a top-level one is reported with everything nested
 * in it. Returns false when fn asked to stop. */
static bool ref_end(struct lexer *lx, size_t i, kf_var_op op, size_t word_start, size_t word_end)
{
	kf_var_ref *r = &lx->refs[i];

	r->end = lx->pos;
	r->op = op;
	if (op != KF_VAR_PLAIN && op != KF_VAR_BRACED) {
		r->word_start = word_start;
		r->word_end = word_end;
	}
	if (r->depth > 0)
		return true;
	for (size_t k = 0; k < lx->nrefs; k++) {
		if (!lx->fn(lx->fn_ctx, &lx->refs[k])) {
			lx->stopped = true;
			lx->nrefs = 0;
			return false;
		}
	}
	lx->nrefs = 0;
	return true;
}

static bool stop_on(struct lexer *lx, int32_t stop, bool raw, kf_buf *res, struct words *w);

/* BuildKit's processName: a run of digits, one special parameter
 * character, or letters, digits and '_'. */
static void read_name(struct lexer *lx, size_t *start, size_t *end, bool *special)
{
	size_t width;
	int32_t c = peek(lx, &width);

	*start = lx->pos;
	*special = false;
	if (c != KF_EOF && is_digit(c)) {
		*special = true;
		while (c != KF_EOF && is_digit(c)) {
			lx->pos += width;
			c = peek(lx, &width);
		}
	} else if (c == '@' || c == '*' || c == '#' || c == '?' || c == '-' || c == '$' ||
		   c == '!' || c == '0') {
		*special = true;
		lx->pos += width;
	} else {
		while (c != KF_EOF && (is_letter(c) || is_digit(c) || c == '_')) {
			lx->pos += width;
			c = peek(lx, &width);
		}
	}
	*end = lx->pos;
}

static bool single_quote(struct lexer *lx, kf_buf *res)
{
	size_t start = lx->pos;

	lx->pos++;
	for (;;) {
		int32_t c = next_rune(lx);
		if (c == KF_EOF)
			return fail(lx, start, "missing closing single quote");
		if (c == '\'')
			return true;
		kf_buf_add_rune(res, (uint32_t)c);
	}
}

static bool dollar(struct lexer *lx, kf_buf *res);

static bool double_quote(struct lexer *lx, bool raw, kf_buf *res)
{
	size_t start = lx->pos, width;

	lx->pos++;
	for (;;) {
		int32_t c = peek(lx, &width);
		if (c == KF_EOF)
			return fail(lx, start, "missing closing double quote");
		if (c == '"') {
			lx->pos += width;
			return true;
		}
		if (c == '$') {
			if (!dollar(lx, res))
				return false;
			continue;
		}
		lx->pos += width;
		if (c == lx->esc) {
			int32_t d;
			if (raw)
				kf_buf_add_rune(res, (uint32_t)c);
			d = peek(lx, &width);
			if (d == KF_EOF)
				continue; /* the loop reports the missing quote */
			if (d == '"' || d == '$' || d == lx->esc) {
				lx->pos += width;
				c = d;
			}
			/* before anything else the escape character stays (and
			 * in raw mode it is then there twice, as in BuildKit) */
		}
		kf_buf_add_rune(res, (uint32_t)c);
	}
}

/* ---- the pattern operators ---------------------------------------------- */

/* A string as runes, with the byte offset of each rune (off[n] is the
 * length), decoded as Go decodes it. */
struct runes {
	int32_t *r;
	size_t *off;
	size_t n;
};

static void runes_decode(struct runes *rs, const char *p, size_t len)
{
	size_t i = 0, width;

	rs->r = kf_xmalloc((len + 1) * sizeof(*rs->r));
	rs->off = kf_xmalloc((len + 1) * sizeof(*rs->off));
	rs->n = 0;
	while (i < len) {
		rs->off[rs->n] = i;
		rs->r[rs->n++] = decode(p + i, len - i, &width);
		i += width;
	}
	rs->off[rs->n] = len;
}

static void runes_release(struct runes *rs)
{
	free(rs->r);
	free(rs->off);
}

enum { KF_INST_CHAR, KF_INST_ANY, KF_INST_SPLIT, KF_INST_JMP, KF_INST_MATCH };

struct inst {
	int op;
	int32_t c;     /* KF_INST_CHAR */
	size_t x, y;   /* KF_INST_SPLIT: x is preferred; KF_INST_JMP: x */
};

struct prog {
	struct inst *in;
	size_t n;
};

/* BuildKit's convertShellPatternToRegex, compiled to a program: '*' is any
 * run of characters but newline (longest first when greedy, shortest
 * first otherwise), '?' one character but newline, "\\*" "\\?" "\\\\" the
 * character itself, '\\' before '}' or '/' is dropped, any other '\\' is an
 * error. Everything else, regexp metacharacters included, is literal. As
 * with text/scanner, a leading U+FEFF is skipped. Returns false on an
 * invalid escape. */
static bool prog_compile(struct prog *pg, const int32_t *r, size_t n, bool greedy)
{
	size_t i = 0, k = 0;

	pg->in = kf_xmalloc((3 * n + 1) * sizeof(*pg->in));
	if (n && r[0] == KF_BOM)
		i = 1;
	while (i < n) {
		int32_t t = r[i++];
		struct inst *in = &pg->in[k];
		if (t == '*') {
			in[0].op = KF_INST_SPLIT;
			in[0].x = greedy ? k + 1 : k + 3;
			in[0].y = greedy ? k + 3 : k + 1;
			in[1].op = KF_INST_ANY;
			in[2].op = KF_INST_JMP;
			in[2].x = k;
			k += 3;
			continue;
		}
		if (t == '?') {
			in->op = KF_INST_ANY;
			k++;
			continue;
		}
		if (t == '\\') {
			if (i < n && (r[i] == '}' || r[i] == '/'))
				continue;
			if (i >= n)
				goto bad;
			t = r[i++];
			if (t != '*' && t != '?' && t != '\\')
				goto bad;
		}
		in->op = KF_INST_CHAR;
		in->c = t;
		k++;
	}
	pg->in[k].op = KF_INST_MATCH;
	pg->n = k + 1;
	return true;
bad:
	free(pg->in);
	pg->in = NULL;
	return false;
}

/* A Pike VM: finds the leftmost match at or after from (only at from when
 * anchored), and among those the one a backtracking matcher would pick,
 * which is what Go's regexp returns. Offsets are rune indices. */
struct thr {
	size_t pc, start;
};

/* Follows the jumps and splits from pc, in priority order, and adds each
 * thread that stops at a character or a match to list, once per step (mark
 * holds the step a pc was last added at). */
static void add_thread(const struct prog *pg, size_t pc0, size_t start, size_t step, size_t *mark,
		       size_t *stack, struct thr *list, size_t *n)
{
	size_t top = 0;
	stack[top++] = pc0;
	while (top) {
		size_t pc = stack[--top];
		if (mark[pc] == step)
			continue;
		mark[pc] = step;
		if (pg->in[pc].op == KF_INST_JMP) {
			stack[top++] = pg->in[pc].x;
		} else if (pg->in[pc].op == KF_INST_SPLIT) {
			stack[top++] = pg->in[pc].y;
			stack[top++] = pg->in[pc].x;
		} else {
			list[*n].pc = pc;
			list[(*n)++].start = start;
		}
	}
}

static bool prog_match(const struct prog *pg, const struct runes *v, size_t from, bool anchored,
		       size_t *ms, size_t *me)
{
	size_t n = pg->n, nc = 0, nn = 0, *mark, *stack;
	struct thr *cl, *nl, *tmp;
	bool matched = false;

	cl = kf_xmalloc(n * sizeof(*cl));
	nl = kf_xmalloc(n * sizeof(*nl));
	mark = kf_xmalloc(n * sizeof(*mark));
	stack = kf_xmalloc((2 * n + 1) * sizeof(*stack));
	for (size_t i = 0; i < n; i++)
		mark[i] = SIZE_MAX;

	for (size_t sp = from;; sp++) {
		nn = 0;
		if (!matched && (!anchored || sp == from)) {
			/* a new thread starting here, with the lowest priority */
			add_thread(pg, 0, sp, sp, mark, stack, cl, &nc);
		}
		for (size_t t = 0; t < nc; t++) {
			const struct inst *in = &pg->in[cl[t].pc];
			bool ok;
			if (in->op == KF_INST_MATCH) {
				matched = true;
				*ms = cl[t].start;
				*me = sp;
				break; /* threads of lower priority are cut */
			}
			if (sp >= v->n)
				continue;
			ok = in->op == KF_INST_CHAR ? v->r[sp] == in->c : v->r[sp] != '\n';
			if (!ok)
				continue;
			add_thread(pg, cl[t].pc + 1, cl[t].start, sp + 1, mark, stack, nl, &nn);
		}
		if (sp >= v->n || (!nn && (matched || anchored)))
			break;
		tmp = cl;
		cl = nl;
		nl = tmp;
		nc = nn;
	}
	free(cl);
	free(nl);
	free(mark);
	free(stack);
	return matched;
}

/* BuildKit's reversePattern: reverses the runes but keeps each '\\' in front
 * of the character it escapes. */
static void pattern_reverse(const int32_t *in, size_t n, int32_t *out)
{
	size_t i = 0;

	while (i < n) {
		size_t o = n - 1 - i;
		if (in[i] == '\\' && i != n - 1) {
			out[o - 1] = '\\';
			out[o] = in[i + 1];
			i += 2;
		} else {
			out[o] = in[i];
			i++;
		}
	}
}

static bool bad_pattern(struct lexer *lx, size_t offset, kf_str pat)
{
	return failf(lx, offset, "invalid pattern in ${...}",
		     "invalid pattern '%.*s' in ${...}: '\\' escapes only '*', '?', '\\', '}' and '/'",
		     (int)pat.len, pat.ptr);
}

/* ${X#pat} ${X##pat} ${X%pat} ${X%%pat}: BuildKit's trimPrefix and
 * trimSuffix. The suffix forms match the reversed pattern against the
 * reversed value; Go turns the value into runes and back for that, so
 * invalid UTF-8 in it becomes U+FFFD. */
static bool trim(struct lexer *lx, size_t offset, bool suffix, bool greedy, kf_str pat, kf_str value,
		 kf_buf *res)
{
	struct runes p, v;
	struct prog pg;
	size_t ms, me;
	bool ok;

	runes_decode(&p, pat.ptr, pat.len);
	runes_decode(&v, value.ptr, value.len);
	if (suffix) {
		int32_t *t = kf_xmalloc((p.n + 1) * sizeof(*t));
		pattern_reverse(p.r, p.n, t);
		memcpy(p.r, t, p.n * sizeof(*t));
		free(t);
		for (size_t i = 0; i < v.n / 2; i++) {
			int32_t c = v.r[i];
			v.r[i] = v.r[v.n - 1 - i];
			v.r[v.n - 1 - i] = c;
		}
	}
	ok = prog_compile(&pg, p.r, p.n, greedy);
	if (ok) {
		if (!prog_match(&pg, &v, 0, true, &ms, &me))
			me = 0;
		if (suffix) {
			for (size_t i = v.n; i > me; i--)
				kf_buf_add_rune(res, (uint32_t)(v.r[i - 1]));
		} else {
			kf_buf_add(res, value.ptr + v.off[me], value.len - v.off[me]);
		}
		free(pg.in);
	}
	runes_release(&p);
	runes_release(&v);
	return ok ? true : bad_pattern(lx, offset, pat);
}

/* Go's Regexp.Expand for a regexp without groups, which ReplaceAllString
 * applies to the replacement: "$$" is '$', "$0" and "${0}" are the match,
 * any other "$name" or "${name}" is empty, and a '$' without a name stays. */
static void expand_template(kf_buf *res, kf_str t, const char *match, size_t mlen)
{
	size_t i = 0;

	while (i < t.len) {
		const char *d = memchr(t.ptr + i, '$', t.len - i);
		size_t j, ns, ne, width;
		bool brace = false;

		if (!d) {
			kf_buf_add(res, t.ptr + i, t.len - i);
			return;
		}
		kf_buf_add(res, t.ptr + i, (size_t)(d - t.ptr) - i);
		i = (size_t)(d - t.ptr) + 1;
		if (i < t.len && t.ptr[i] == '$') {
			kf_buf_addc(res, '$');
			i++;
			continue;
		}
		j = i;
		if (j < t.len && t.ptr[j] == '{') {
			brace = true;
			j++;
		}
		ns = j;
		while (j < t.len) {
			int32_t c = decode(t.ptr + j, t.len - j, &width);
			if (!is_letter(c) && !is_digit(c) && c != '_')
				break;
			j += width;
		}
		ne = j;
		if (ne == ns || (brace && (j >= t.len || t.ptr[j] != '}'))) {
			kf_buf_addc(res, '$');
			continue;
		}
		if (brace)
			j++;
		if (ne - ns == 1 && t.ptr[ns] == '0')
			kf_buf_add(res, match, mlen);
		i = j;
	}
}

/* ${X/pat/repl} and ${X//pat/repl}. The first replaces the leftmost match
 * (longest stars) with repl as it is; the second is Go's ReplaceAllString,
 * empty matches and template expansion of repl included. */
static bool replace(struct lexer *lx, size_t offset, bool all, kf_str pat, kf_str repl, kf_str value,
		    kf_buf *res)
{
	struct runes p, v;
	struct prog pg;
	size_t ms, me;

	runes_decode(&p, pat.ptr, pat.len);
	if (!prog_compile(&pg, p.r, p.n, true)) {
		runes_release(&p);
		return bad_pattern(lx, offset, pat);
	}
	runes_release(&p);
	runes_decode(&v, value.ptr, value.len);
	if (!all) {
		if (prog_match(&pg, &v, 0, false, &ms, &me)) {
			kf_buf_add(res, value.ptr, v.off[ms]);
			kf_buf_addstr(res, repl);
			kf_buf_add(res, value.ptr + v.off[me], value.len - v.off[me]);
		} else {
			kf_buf_addstr(res, value);
		}
	} else {
		size_t last = 0, sp = 0;
		while (sp <= v.n && prog_match(&pg, &v, sp, false, &ms, &me)) {
			kf_buf_add(res, value.ptr + v.off[last], v.off[ms] - v.off[last]);
			/* no replacement for an empty match right after a match */
			if (me > last || ms == 0)
				expand_template(res, repl, value.ptr + v.off[ms], v.off[me] - v.off[ms]);
			last = me;
			sp = me > sp ? me : sp + 1;
		}
		kf_buf_add(res, value.ptr + v.off[last], value.len - v.off[last]);
	}
	free(pg.in);
	runes_release(&v);
	return true;
}

/* ---- $ references --------------------------------------------------------- */

static bool braced_op(struct lexer *lx, size_t start, kf_str name, size_t ref, size_t mpos,
		      int32_t c, kf_buf *res);
static bool replace_op(struct lexer *lx, size_t start, kf_str name, size_t ref, kf_buf *res);

static bool dollar(struct lexer *lx, kf_buf *res)
{
	size_t start = lx->pos, ns, ne, width, ref = 0, mpos;
	bool special;
	kf_str name, value;
	int32_t c;

	lx->pos++;
	if (peek(lx, &width) != '{') {
		read_name(lx, &ns, &ne, &special);
		if (ns == ne) {
			kf_buf_addc(res, '$');
			return true;
		}
		name = kf_str_make(lx->s + ns, ne - ns);
		if (lookup(lx, name, &value))
			kf_buf_addstr(res, value);
		if (lx->fn)
			return ref_end(lx, ref_begin(lx, start, ns, ne, special), KF_VAR_PLAIN, ne, ne);
		return true;
	}
	lx->pos += width;
	c = peek(lx, &width);
	if (c == KF_EOF)
		return fail(lx, start, missing_brace);
	if (c == '{' || c == '}' || c == ':')
		return failf(lx, lx->pos, "bad substitution",
			     "bad substitution: '%c' right after '${'", (char)c);
	read_name(lx, &ns, &ne, &special);
	name = kf_str_make(lx->s + ns, ne - ns);
	if (lx->fn)
		ref = ref_begin(lx, start, ns, ne, special);
	mpos = lx->pos;
	c = next_rune(lx);
	switch (c) {
	case '}':
		if (lookup(lx, name, &value))
			kf_buf_addstr(res, value);
		if (lx->fn)
			return ref_end(lx, ref, KF_VAR_BRACED, ne, ne);
		return true;
	case ':':
	case '+':
	case '-':
	case '?':
	case '#':
	case '%':
		return braced_op(lx, start, name, ref, mpos, c, res);
	case '/':
		return replace_op(lx, start, name, ref, res);
	case KF_EOF:
		return fail(lx, start, missing_brace);
	default:
		decode(lx->s + mpos, lx->len - mpos, &width);
		return failf(lx, mpos, "unsupported modifier in ${...}",
			     "unsupported modifier '%.*s' in ${...}", (int)width, lx->s + mpos);
	}
}

static kf_var_op op_of(int32_t c, bool colon, const kf_buf *word)
{
	bool twice = word->len && word->ptr[0] == (char)c;

	switch (c) {
	case '-':
		return colon ? KF_VAR_DEFAULT : KF_VAR_DEFAULT_UNSET;
	case '+':
		return colon ? KF_VAR_ALT : KF_VAR_ALT_UNSET;
	case '?':
		return colon ? KF_VAR_ERROR : KF_VAR_ERROR_UNSET;
	case '#':
		return twice ? KF_VAR_TRIM_PREFIX_LONG : KF_VAR_TRIM_PREFIX;
	default:
		return twice ? KF_VAR_TRIM_SUFFIX_LONG : KF_VAR_TRIM_SUFFIX;
	}
}

static kf_str buf_str(const kf_buf *b)
{
	return b->ptr ? kf_str_make(b->ptr, b->len) : KF_STR_LIT("");
}

/* ${X?word} and ${X:?word}: BuildKit's "NAME: word" error. */
static bool required(struct lexer *lx, size_t start, const char *message, kf_str name,
		     kf_str word, const char *fallback)
{
	if (!word.len)
		word = kf_str_cstr(fallback);
	return failf(lx, start, message, "%.*s: %.*s", (int)name.len, name.ptr, (int)word.len,
		     word.ptr);
}

static bool enter(struct lexer *lx, size_t start)
{
	if (lx->depth >= KF_EXPAND_MAX_DEPTH)
		return failf(lx, start, "too deeply nested ${...}",
			     "${...} nested more than %d deep", KF_EXPAND_MAX_DEPTH);
	lx->depth++;
	return true;
}

/* The word after a modifier, up to the closing '}'. As in BuildKit, a
 * failure at the end of the input is reported as the missing '}' (or '/'). */
static bool operand(struct lexer *lx, size_t start, int32_t stop, bool raw, kf_buf *word)
{
	size_t width;

	if (!enter(lx, start))
		return false;
	bool ok = stop_on(lx, stop, raw, word, NULL);
	lx->depth--;
	if (!ok && !lx->stopped && peek(lx, &width) == KF_EOF)
		return stop == '/' ? fail(lx, start, "missing '/' in ${...}")
				   : fail(lx, start, missing_brace);
	return ok;
}

/* ${X:...} ${X+...} ${X-...} ${X?...} ${X#...} ${X%...}; c is the character
 * after the name, at mpos. */
static bool braced_op(struct lexer *lx, size_t start, kf_str name, size_t ref, size_t mpos,
		      int32_t c, kf_buf *res)
{
	kf_buf word = KF_BUF_INIT;
	bool colon = false, set, ok = true;
	size_t wstart;
	kf_str value;

	if (c == ':') {
		colon = true;
		c = next_rune(lx); /* whatever it is: it is checked after the word */
	}
	wstart = lx->pos;
	if (!operand(lx, start, '}', c == '#' || c == '%', &word)) {
		kf_buf_release(&word);
		return false;
	}
	set = lookup(lx, name, &value);
	switch (c) {
	case '-':
		if (!set || (colon && !value.len))
			kf_buf_add(res, word.ptr, word.len);
		else
			kf_buf_addstr(res, value);
		break;
	case '+':
		if (set && !(colon && !value.len))
			kf_buf_add(res, word.ptr, word.len);
		break;
	case '?':
		if (lx->scan)
			break;
		if (!set)
			ok = required(lx, start, "required variable is unset", name,
				      buf_str(&word), "is not allowed to be unset");
		else if (colon && !value.len)
			ok = required(lx, start, "required variable is empty", name,
				      buf_str(&word), "is not allowed to be empty");
		else
			kf_buf_addstr(res, value);
		break;
	case '#':
	case '%':
		if (!lx->scan) {
			kf_str pat = buf_str(&word);
			bool greedy = pat.len && pat.ptr[0] == (char)c;
			if (greedy) {
				pat.ptr++;
				pat.len--;
			}
			ok = trim(lx, start, c == '%', greedy, pat, value, res);
		}
		break;
	default: {
		/* only after ':' (the other characters have cases above) */
		size_t width;
		decode(lx->s + mpos + 1, lx->len - mpos - 1, &width);
		ok = failf(lx, mpos, "unsupported modifier in ${...}",
			   "unsupported modifier ':%.*s' in ${...}", (int)width, lx->s + mpos + 1);
		break;
	}
	}
	if (ok && lx->fn)
		ok = ref_end(lx, ref, op_of(c, colon, &word), wstart, lx->pos - 1);
	kf_buf_release(&word);
	return ok;
}

/* ${X/pat/repl} and ${X//pat/repl}; the first '/' has been read. */
static bool replace_op(struct lexer *lx, size_t start, kf_str name, size_t ref, kf_buf *res)
{
	kf_buf pat = KF_BUF_INIT, repl = KF_BUF_INIT;
	bool all = false, ok;
	size_t width, wstart;
	kf_str value;

	if (peek(lx, &width) == '/') {
		all = true;
		lx->pos += width;
	}
	wstart = lx->pos;
	ok = operand(lx, start, '/', true, &pat) && operand(lx, start, '}', true, &repl);
	if (ok && !lx->scan) {
		lookup(lx, name, &value);
		ok = replace(lx, start, all, buf_str(&pat), buf_str(&repl), value, res);
	}
	if (ok && lx->fn)
		ok = ref_end(lx, ref, all ? KF_VAR_REPLACE_ALL : KF_VAR_REPLACE, wstart, lx->pos - 1);
	kf_buf_release(&pat);
	kf_buf_release(&repl);
	return ok;
}

/* BuildKit's processStopOn: the text up to stop (KF_EOF: the end), which is
 * consumed. res gets the expanded text; w, when not NULL, the words. With
 * raw, escape characters are kept (pattern operands). */
static bool stop_on(struct lexer *lx, int32_t stop, bool raw, kf_buf *res, struct words *w)
{
	size_t width;

	for (;;) {
		int32_t c = peek(lx, &width);
		if (c == KF_EOF)
			break;
		if (stop != KF_EOF && c == stop) {
			lx->pos += width;
			return true;
		}
		if (c == '$' || c == '\'' || c == '"') {
			size_t mark = res->len;
			bool ok;
			if (c == '$')
				ok = dollar(lx, res);
			else if (c == '\'')
				ok = single_quote(lx, res);
			else
				ok = double_quote(lx, raw, res);
			if (!ok)
				return false;
			/* (with words, res has been allocated by the caller) */
			if (w && c == '$')
				words_add_string(w, res->ptr + mark, res->len - mark);
			else if (w)
				words_add_raw(w, res->ptr + mark, res->len - mark);
			continue;
		}
		lx->pos += width;
		if (c == lx->esc) {
			if (raw) {
				if (w)
					words_add_raw_rune(w, c);
				kf_buf_add_rune(res, (uint32_t)c);
			}
			c = next_rune(lx);
			if (c == KF_EOF)
				break; /* a trailing escape character is dropped */
			if (w)
				words_add_raw_rune(w, c);
		} else if (w) {
			words_add_rune(w, c);
		}
		kf_buf_add_rune(res, (uint32_t)c);
	}
	if (stop != KF_EOF)
		return fail(lx, lx->len, "unexpected end of input");
	return true;
}

static void lexer_init(struct lexer *lx, kf_str in, char esc, const kf_expand_env *env,
		       kf_expand_error *err, kf_expand_error *dummy)
{
	memset(lx, 0, sizeof(*lx));
	lx->s = in.ptr ? in.ptr : "";
	lx->len = in.ptr ? in.len : 0;
	lx->esc = (unsigned char)esc;
	lx->env = env;
	lx->err = err ? err : dummy;
	/* text/scanner skips a byte order mark at the very start */
	if (lx->len >= 3 && memcmp(lx->s, "\xef\xbb\xbf", 3) == 0)
		lx->pos = 3;
}

bool kf_expand_word(kf_str in, char esc, const kf_expand_env *env, kf_buf *out,
		    kf_expand_error *err)
{
	struct lexer lx;
	kf_expand_error dummy;
	size_t len0 = out->len;

	lexer_init(&lx, in, esc, env, err, &dummy);
	if (stop_on(&lx, KF_EOF, false, out, NULL)) {
		/* NUL-terminated even when nothing was added */
		kf_buf_grow(out, 0);
		out->ptr[out->len] = '\0';
		return true;
	}
	out->len = len0;
	if (out->cap)
		out->ptr[len0] = '\0';
	return false;
}

bool kf_expand_words(kf_str in, char esc, const kf_expand_env *env, kf_arena *arena,
		     kf_str **words, size_t *n, kf_expand_error *err)
{
	struct lexer lx;
	kf_expand_error dummy;
	struct words w;
	kf_buf res = KF_BUF_INIT;
	bool ok;

	memset(&w, 0, sizeof(w));
	lexer_init(&lx, in, esc, env, err, &dummy);
	kf_buf_grow(&res, 0);
	ok = stop_on(&lx, KF_EOF, false, &res, &w);
	*words = NULL;
	*n = 0;
	if (ok) {
		words_flush(&w);
		char *all = kf_arena_memdup(arena, w.all.ptr, w.all.len);
		*words = KF_ARENA_ARRAY(arena, kf_str, w.n);
		for (size_t i = 0; i < w.n; i++) {
			size_t end = i + 1 < w.n ? w.start[i + 1] - 1 : w.all.len - 1;
			(*words)[i] = kf_str_make(all + w.start[i], end - w.start[i]);
		}
		*n = w.n;
	}
	words_release(&w);
	kf_buf_release(&res);
	return ok;
}

bool kf_expand_scan_refs(kf_str in, char esc, bool (*fn)(void *ctx, const kf_var_ref *ref),
			 void *ctx, kf_expand_error *err)
{
	struct lexer lx;
	kf_expand_error dummy;
	kf_buf res = KF_BUF_INIT;
	bool ok;

	lexer_init(&lx, in, esc, NULL, err, &dummy);
	lx.scan = true;
	lx.fn = fn;
	lx.fn_ctx = ctx;
	ok = stop_on(&lx, KF_EOF, false, &res, NULL);
	kf_buf_release(&res);
	free(lx.refs);
	return ok || lx.stopped;
}

const char *kf_var_op_text(kf_var_op op)
{
	static const char *const text[] = {
		[KF_VAR_PLAIN] = "",
		[KF_VAR_BRACED] = "",
		[KF_VAR_DEFAULT] = ":-",
		[KF_VAR_DEFAULT_UNSET] = "-",
		[KF_VAR_ALT] = ":+",
		[KF_VAR_ALT_UNSET] = "+",
		[KF_VAR_ERROR] = ":?",
		[KF_VAR_ERROR_UNSET] = "?",
		[KF_VAR_TRIM_PREFIX] = "#",
		[KF_VAR_TRIM_PREFIX_LONG] = "##",
		[KF_VAR_TRIM_SUFFIX] = "%",
		[KF_VAR_TRIM_SUFFIX_LONG] = "%%",
		[KF_VAR_REPLACE] = "/",
		[KF_VAR_REPLACE_ALL] = "//",
	};

	if ((unsigned)op >= sizeof(text) / sizeof(text[0]))
		return "";
	return text[op];
}
