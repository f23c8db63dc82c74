# 11-fmt.sh - finding 11: kfc fmt is idempotent and loses nothing on any
# input, and kfc fmt -w writes the file the user has (a symbolic link stays
# one, a hard link stays one, the owner and the mode stay). Sourced by
# tests/security.sh.

F=$T/fmt11
mkdir -p "$F"

# fmt_case NAME INPUT EXPECTED: INPUT and EXPECTED are printf formats; kfc
# fmt prints exactly EXPECTED, and formatting that again changes nothing
fmt_case() {
	printf "$2" >"$F/in.kubefile"
	printf "$3" >"$F/want"
	"$KFC" fmt "$F/in.kubefile" >"$F/once" 2>/dev/null
	"$KFC" fmt "$F/once" >"$F/twice" 2>/dev/null
	if ! cmp -s "$F/want" "$F/once"; then
		not_ok "$1: formatted as"
		od -c "$F/once" | head -8 | sed 's/^/# /'
	elif ! cmp -s "$F/once" "$F/twice"; then
		not_ok "$1: formatting again changes it"
		od -c "$F/twice" | head -8 | sed 's/^/# /'
	else
		ok "$1"
	fi
}

# bytes FILE: the file's bytes as od -c shows them, on one line
bytes() {
	od -An -c "$1" | tr -s ' \n' ' '
}

# fmt_lines_case NAME LINES INPUT WANT: kfc fmt --lines=LINES of the printf
# format INPUT prints the bytes WANT (as bytes shows them)
fmt_lines_case() {
	printf "$3" >"$F/in.kubefile"
	"$KFC" fmt --lines="$2" "$F/in.kubefile" >"$F/lines.out" 2>/dev/null
	if [ "$(bytes "$F/lines.out")" = "$4" ]; then
		ok "$1"
	else
		not_ok "$1: $(bytes "$F/lines.out")"
	fi
}

# a quote left open on a CRLF line: the "\r" is no part of the value
# (each pass added one)
fmt_case 'fmt: CRLF line with an open double quote' \
	'FROM a\r\nENV A="x\r\nRUN b\r\n' 'FROM a\r\nENV A="x\r\nRUN b\r\n'
fmt_case 'fmt: CRLF line with an open single quote' \
	"FROM a\r\nLABEL a='x\r\n" "FROM a\r\nLABEL a='x\r\n"
fmt_case 'fmt: CRLF line with an open quote in a flag' \
	'FROM a\r\nIMAGES --file="x\r\n' 'FROM a\r\nIMAGES --file="x\r\n'

# the "\r" of a CRLF line is no part of its content: "\'" at its end was a
# backslash and a quote left open over the "\r" (a longer match than the
# escaped quote), so formatting, which ends the file with "\r\n", changed
# what the line said
printf 'FROM a\nENV \\'"'"'\n' >"$F/lf.kubefile"
printf 'FROM a\r\nENV \\'"'"'\r\n' >"$F/crlf.kubefile"
"$KFC" parse --dump=buildkit "$F/lf.kubefile" >"$F/lf.out" 2>&1
"$KFC" parse --dump=buildkit "$F/crlf.kubefile" 2>&1 | sed 's/crlf\.kubefile/lf.kubefile/' >"$F/crlf.out"
if cmp -s "$F/lf.out" "$F/crlf.out"; then
	ok 'parse: a CRLF line ending in an escaped quote reads as the LF line'
else
	not_ok 'parse: a CRLF line ending in an escaped quote reads otherwise than the LF line'
	diff "$F/lf.out" "$F/crlf.out" | sed 's/^/# /'
fi

# line ends in lines left as written are the file's: a CRLF line end kept
# in an LF file became the first line end once the blank lines before it
# were dropped, and the next pass wrote the whole file in CRLF
fmt_case 'fmt: a CRLF line end in a line left as written, in an LF file' \
	'\nFOO a \\\r\n b\n' 'FOO a \\\n b\n'

# an empty logical line (escape, line end, blank) that does not parse is
# left as written: the backslash was lost
fmt_case 'fmt: backslash, LF, space is left as written' '\\\n ' '\\\n \n'
fmt_case 'fmt: an empty continued line before an instruction is left as written' \
	'FROM a\n\\\n\n' 'FROM a\n\\\n\n'

# comments a continuation skips before the keyword or after the last word
# stay (they were dropped)
fmt_case 'fmt: a comment after a line holding only the escape character' \
	'FROM a\n\\\n# comment\nRUN x\n' 'FROM a\n\\\n    # comment\n    RUN x\n'
fmt_case 'fmt: a comment the end of the file ends a continuation with' \
	'FROM a\nCOPY a b \\\n# comment\n' 'FROM a\nCOPY a b \\\n    # comment\n'
fmt_case 'fmt: the same after a quote left open, which runs to the escape character' \
	'FROM a\nENV A="x\\\n# comment\n' 'FROM a\nENV A="x\\\n    # comment\n'
fmt_case 'fmt: a comment after a broken continued line' \
	'FROM \\\n# comment\n' 'FROM \\\n# comment\n'

# a last word ending with the escape character, then a form feed: the
# blank is no space or tab, so the line does not continue; dropped as a
# trailing blank, it made the line continue into the next
fmt_case 'fmt: an escape character before a form feed at the end of a line' \
	'FROM a\nCOPY a b\\\f\nRUN x\n' 'FROM a\nCOPY a b\\\f\nRUN x\n'
# the same with the line continued into the end of the file: the word '\'
# was read as the continuation, and lost
fmt_case 'fmt: a last word that is the escape character, before a continuation' \
	'FROM a\nLAUNCH \\ \\\n' 'FROM a\nLAUNCH \\ \\\n'
# the same with an escaped "\r" ending the word: without the blank after
# it, the "\r" became part of the line end, and the line continued
fmt_case 'fmt: an escaped carriage return before a blank at the end of a line' \
	'FROM a\nENV A=\\\r \nRUN x\n' 'FROM a\nENV A=\\\r \nRUN x\n'

# a legacy ENV key that ends with the escape character: with one space
# after it, the space is escaped and key and value are one word ('\ =' is
# the pair '\ '=''); the blanks stay as written
fmt_case 'fmt: a legacy ENV key ending with the escape character' \
	'FROM a\nENV \\  =\n' 'FROM a\nENV \\  =\n'

# the heredoc of ONBUILD's instruction: its body was dropped
fmt_case 'fmt: a heredoc body of ONBUILD RUN stays' \
	'FROM a\nonbuild  run <<EOF\nx\nEOF\n' 'FROM a\nONBUILD RUN <<EOF\nx\nEOF\n'

# shell text whose continued line ends with an escaped blank: the next line
# goes on the same word, so it is not indented (it was: '\ C' became the
# words ' ' and 'C')
fmt_case 'fmt: an escaped blank before a continuation in shell text' \
	'FROM a\nCMD echo \\ \\\nC\n' 'FROM a\nCMD echo \\ \\\nC\n'

# with the escape character `, a shell backslash can end a continued line
# and escape the blank that starts the next: that blank is no separator
fmt_case 'fmt: a shell backslash before a continuation with escape=`' \
	'# escape=`\nFROM a\nRUN echo \\`\n s\n' '# escape=`\nFROM a\nRUN echo \\`\n s\n'

# APP's words that start like a JSON array: respaced, they became one
# ('APP ["<tab>"]' is the app '["' from '"]'; 'APP [" "]' is broken)
fmt_case 'fmt: APP words that are no JSON array are not respaced into one' \
	'FROM a\nAPP ["\t"]\n' 'FROM a\nAPP ["\t"]\n'

# the bytes of a byte order mark that start a line after blank lines: with
# the blank lines dropped they became the file's byte order mark, and the
# instruction vanished
fmt_case 'fmt: a line starting with the bytes of a byte order mark stays a line' \
	'\n\357\273\277X\n' '\n\357\273\277X\n'

# bytes that are no UTF-8 in a JSON string a continuation runs through, or
# in the text --rewrite=cmds-json quotes: JSON cannot write them, and the
# string was dropped ('CMD [, "c"]', 'CMDS []')
fmt_case 'fmt: a continued JSON string that is no UTF-8 is left as written' \
	'FROM a\nCMD ["a\377 \\\n  b", "c"]\n' 'FROM a\nCMD ["a\377 \\\n  b", "c"]\n'
printf 'FROM a\nCMDS echo \377\n' >"$F/in.kubefile"
"$KFC" fmt --rewrite=cmds-json "$F/in.kubefile" >"$F/once" 2>/dev/null
if cmp -s "$F/in.kubefile" "$F/once"; then
	ok 'fmt --rewrite=cmds-json: a text that is no UTF-8 is not rewritten'
else
	not_ok "fmt --rewrite=cmds-json: a text that is no UTF-8 became $(bytes "$F/once")"
fi

# a NUL byte in a line formatted by range (--lines, an editor's request):
# the edit's text ended at the NUL, and the rest of the line was lost
fmt_lines_case 'fmt --lines: a NUL byte in the line is kept, and what follows it' 2:2 \
	'FROM a\nRUN  a\000b\n' ' F R O M a \n R U N a \0 b \n '

# comments a continuation skipped inside a text the formatter writes anew
# on one line (a keyword, a JSON string, the text --rewrite=cmds-json
# quotes) were dropped with the line breaks
fmt_case 'fmt: a comment inside a keyword a continuation splits' \
	'FROM a\nR\\\n# c\nUN x\n' 'FROM a\n\\\n    # c\n    RUN x\n'
fmt_case 'fmt: a comment inside a JSON string a continuation splits' \
	'FROM a\nCMD ["a", "b \\\n# c\nd"]\n' 'FROM a\nCMD ["a", \\\n    # c\n    "b d"]\n'
printf 'FROM a\nCMDS a \\\n# c\n  b\n' >"$F/in.kubefile"
"$KFC" fmt --rewrite=cmds-json "$F/in.kubefile" >"$F/once" 2>/dev/null
if [ "$(cat "$F/once")" = "$(printf 'FROM a\nCMDS \\\n    # c\n    ["a   b"]')" ]; then
	ok 'fmt --rewrite=cmds-json: a comment inside the text stays'
else
	not_ok "fmt --rewrite=cmds-json: a comment inside the text: $(bytes "$F/once")"
fi

# a quote left open runs over a continued line holding blanks and the
# escape character: without the escape, the line of blanks was skipped,
# and the value lost its blank (found by fuzz_parse)
fmt_case 'fmt: a quote left open over a continued line of blanks' \
	'FROM a\nENV a="v \\\n \\\n' 'FROM a\nENV a="v \\\n \\\n'

# formatting by range the only instruction, whose continuation the end of
# the file ends: its CRLF line end, the file's only one, was dropped, and
# the file became an LF file (found by fuzz_fmt)
fmt_lines_case 'fmt --lines: the CRLF line end of lines that end the file stays' 1:2 \
	'RUN a \\\r\n ' ' R U N a \r \n '

# an escaped escape character, then a blank: the lexer read the first as a
# lone one and the second as escaping the blank (the longest match), so
# LABEL's key '\\' and value '=' became one word once the formatter wrote
# one space between them (found by fuzz_fmt)
printf 'LABEL \\\\\v\v=' >"$F/esc.kubefile"
"$KFC" fmt "$F/esc.kubefile" >"$F/esc.out" 2>/dev/null
"$KFC" parse --dump=buildkit "$F/esc.kubefile" >"$F/esc.before" 2>&1
(cd "$F" && "$KFC" parse --dump=buildkit - <esc.out) >"$F/esc.after" 2>&1
if [ "$(cat "$F/esc.before")" = '(label "\\\\" "=" "")' ] && cmp -s "$F/esc.before" "$F/esc.after"; then
	ok 'fmt: a legacy LABEL key that is an escaped escape character keeps its meaning'
else
	not_ok "fmt: a legacy LABEL key that is an escaped escape character: $(cat "$F/esc.before") became $(cat "$F/esc.after")"
fi

# 100000 lines holding only a backslash: one line that does not parse,
# left as written (all but its last line were lost)
awk 'BEGIN { for (i = 0; i < 100000; i++) print "\\" }' >"$F/many.kubefile"
timeout 10 "$KFC" fmt "$F/many.kubefile" >"$F/many.out" 2>/dev/null
if cmp -s "$F/many.kubefile" "$F/many.out"; then
	ok 'fmt: 100000 lines of a backslash are left as written'
else
	not_ok "fmt: 100000 lines of a backslash: $(wc -c <"$F/many.out") bytes out of $(wc -c <"$F/many.kubefile")"
fi
# in linear time: one instruction continued over 100000 lines, already
# formatted (it took 10 s, each word's place found by a linear search)
{
	printf 'FROM a\nENV \\\n'
	awk 'BEGIN { for (i = 0; i < 100000; i++) print "    a" i "=b \\" }'
	printf '    c=d\n'
} >"$F/long.kubefile"
start=$(date +%s)
timeout 60 "$KFC" fmt "$F/long.kubefile" >"$F/long.out" 2>/dev/null
took=$(($(date +%s) - start))
if [ "$took" -le 5 ] && cmp -s "$F/long.kubefile" "$F/long.out"; then
	ok "fmt: an instruction continued over 100000 lines, in ${took}s"
else
	not_ok "fmt: an instruction continued over 100000 lines took ${took}s (or changed)"
fi

# -w through a symbolic link: the link stays, its target is rewritten
mkdir -p "$F/w"
printf 'from   a\n' >"$F/w/real.kubefile"
ln -s real.kubefile "$F/w/link.kubefile"
expect_status 0 'fmt -w: a symbolic link' "$KFC" fmt -w "$F/w/link.kubefile"
if [ -L "$F/w/link.kubefile" ] && [ "$(readlink "$F/w/link.kubefile")" = real.kubefile ] &&
	[ "$(cat "$F/w/real.kubefile")" = 'FROM a' ]; then
	ok 'fmt -w: the link stays a link to the same name, and its target is formatted'
else
	not_ok 'fmt -w: the symbolic link was replaced'
	ls -l "$F/w" | sed 's/^/# /'
fi

# -w on a file with two hard links: one inode, both names formatted
printf 'from   a\n' >"$F/w/one.kubefile"
ln "$F/w/one.kubefile" "$F/w/two.kubefile"
chmod 0640 "$F/w/one.kubefile"
ino=$(stat -c %i "$F/w/one.kubefile")
expect_status 0 'fmt -w: a file with two hard links' "$KFC" fmt -w "$F/w/one.kubefile"
if [ "$(stat -c '%i %h %a' "$F/w/one.kubefile")" = "$ino 2 640" ] &&
	[ "$(stat -c %i "$F/w/two.kubefile")" = "$ino" ] && [ "$(cat "$F/w/two.kubefile")" = 'FROM a' ]; then
	ok 'fmt -w: the hard link stays, both names see the formatted text'
else
	not_ok "fmt -w: the hard link was split: $(stat -c '%n %i %h %a' "$F/w/one.kubefile" "$F/w/two.kubefile" | tr '\n' ' ')"
fi
if [ -z "$(find "$F/w" -name '*.tmp-*')" ]; then
	ok 'fmt -w: no temporary file is left'
else
	not_ok "fmt -w: left $(find "$F/w" -name '*.tmp-*')"
fi

# -w as root keeps the owner, the group and the mode
printf 'from   a\n' >"$F/w/owned.kubefile"
if chown 1234:1234 "$F/w/owned.kubefile" 2>/dev/null; then
	chmod 0604 "$F/w/owned.kubefile"
	expect_status 0 'fmt -w: a file of another owner' "$KFC" fmt -w "$F/w/owned.kubefile"
	got=$(stat -c '%u:%g %a %h' "$F/w/owned.kubefile")
	if [ "$got" = '1234:1234 604 1' ] && [ "$(cat "$F/w/owned.kubefile")" = 'FROM a' ]; then
		ok 'fmt -w: the owner, group and mode stay'
	else
		not_ok "fmt -w: owner, mode and links are now $got"
	fi
else
	ok 'fmt -w: owner kept # SKIP chown needs root'
fi
