package file

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// cell is one mapped value of a row.
type cell struct {
	// v is the value with surrounding spaces trimmed.
	v string
	// ok says the value is present: not empty and not a null value.
	ok bool
	// bad, when set, says why the value cannot be used (a JSON object where a value belongs).
	bad string
}

// row is one record of a file, its mapped values in slot order.
type row struct {
	file, line int
	cells      []cell
	// err, when set, says why the whole row is unusable (a CSV row with the wrong number of
	// fields, a JSON line that is not an object).
	err string
}

// emitFunc receives each row; the row is reused for the next one. An error stops the reading.
type emitFunc func(*row) error

// maxLine bounds an NDJSON line.
const maxLine = 64 << 20

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// read parses one file's contents in the plan's format. name is the file as messages call it.
func (p *plan) read(r io.Reader, file int, name string, emit emitFunc) error {
	switch p.format {
	case formatCSV:
		return p.readCSV(r, file, name, emit)
	case formatJSON:
		return p.readJSON(r, file, name, emit)
	}
	return p.readNDJSON(r, file, name, emit)
}

func (p *plan) newRow(file int) *row {
	return &row{file: file, cells: make([]cell, len(p.cols))}
}

// set stores a raw value in a cell, applying trimming and null values.
func (p *plan) set(c *cell, v string) {
	v = strings.TrimSpace(v)
	*c = cell{v: v, ok: !p.nulls[v]}
}

func (p *plan) readCSV(r io.Reader, file int, name string, emit emitFunc) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM)) // Excel writes one
	}
	tail := &lastByte{r: br}
	cr := csv.NewReader(tail)
	cr.Comma, cr.Comment, cr.LazyQuotes = p.delimiter, p.comment, p.lazyQuotes
	cr.FieldsPerRecord = -1 // checked per row, so that a short row is rejected, not fatal
	cr.ReuseRecord = true
	header, err := cr.Read()
	switch {
	case errors.Is(err, io.EOF):
		return fmt.Errorf("%s: empty file: no header row", name)
	case err != nil:
		return fmt.Errorf("%s: header: %w", name, err)
	}
	nfields := len(header)
	index := make(map[string]int, nfields)
	for i, h := range header {
		h = strings.TrimSpace(h)
		if _, dup := index[h]; !dup {
			index[h] = i
		}
	}
	idx := make([]int, len(p.cols))
	var missing []string
	for s, col := range p.cols {
		idx[s] = -1
		if col == "" {
			continue
		}
		i, ok := index[col]
		if !ok {
			hint := ""
			// Names are compared exactly: one that differs in case or spaces only is most
			// likely the one meant. Header names are not data, so naming it leaks nothing.
			for _, h := range header {
				if strings.EqualFold(strings.Join(strings.Fields(h), " "), strings.Join(strings.Fields(col), " ")) {
					hint = fmt.Sprintf("; the header has %q", strings.TrimSpace(h))
					break
				}
			}
			missing = append(missing, fmt.Sprintf("%q (columns.%s, configuration line %d%s)", col, p.slotKey(slot(s)), p.colLines[s], hint))
			continue
		}
		idx[s] = i
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s: the header has no column %s", name, strings.Join(missing, ", no column "))
	}
	rw := p.newRow(file)
	// A malformed last row is taken for a cut: one whose quoted field runs to the end, or that
	// lacks fields and the final newline. The file is refused, not read as a smaller snapshot
	// (a row cut at a newline cannot be told from a complete one).
	var quoteErr, short bool
	for {
		rec, err := cr.Read()
		switch {
		case errors.Is(err, io.EOF):
			if quoteErr || short && tail.last != '\n' {
				return fmt.Errorf("%s:%d: truncated CSV: the last row ends early (%s)", name, rw.line, rw.err)
			}
			return nil
		case err != nil:
			pe, ok := errors.AsType[*csv.ParseError](err)
			if !ok {
				return fmt.Errorf("%s: %w", name, err)
			}
			quoteErr, short = errors.Is(pe.Err, csv.ErrQuote), false
			rw.line, rw.err = pe.StartLine, "malformed CSV: "+pe.Err.Error()
		default:
			rw.line, _ = cr.FieldPos(0)
			rw.err = ""
			quoteErr, short = false, len(rec) < nfields
			if len(rec) != nfields {
				rw.err = fmt.Sprintf("%d fields where the header has %d", len(rec), nfields)
				break
			}
			for s, i := range idx {
				if i < 0 {
					rw.cells[s] = cell{}
				} else {
					p.set(&rw.cells[s], rec[i])
				}
			}
		}
		if err := emit(rw); err != nil {
			return err
		}
	}
}

// lastByte passes a reader through, remembering the last byte read.
type lastByte struct {
	r    io.Reader
	last byte
}

func (l *lastByte) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	if n > 0 {
		l.last = p[n-1]
	}
	return n, err
}

// slotKey is the configuration key of slot s under columns.
func (p *plan) slotKey(s slot) string {
	if s < nSlots {
		return slotKeys[s]
	}
	return "fields." + p.fieldNames[s-nSlots]
}

// lineReader passes a document through to the JSON decoder, keeping only the bytes read since
// the last offset asked of it, so that offsets turn into line numbers without holding the
// document: a big export is decoded a record at a time.
type lineReader struct {
	r    io.Reader
	buf  []byte // the bytes from offset base on
	base int64
	line int // of offset base
}

func (l *lineReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	l.buf = append(l.buf, p[:n]...)
	return n, err
}

// at is the line of offset off; offsets must not decrease between calls.
func (l *lineReader) at(off int64) int {
	if l.line == 0 {
		l.line = 1
	}
	if k := min(off-l.base, int64(len(l.buf))); k > 0 {
		l.line += bytes.Count(l.buf[:k], []byte{'\n'})
		l.buf = l.buf[k:]
		l.base += k
		if len(l.buf) == 0 {
			l.buf = l.buf[:0:0] // let append start a small array again
		}
	}
	return l.line
}

// skip moves off past the commas and spaces that follow it, in the bytes read.
func (l *lineReader) skip(off int64) int64 {
	for i := off - l.base; i >= 0 && i < int64(len(l.buf)) && (l.buf[i] == ',' || isSpace(l.buf[i])); i++ {
		off++
	}
	return off
}

// jsonError words a decoding error with its line, without quoting the document.
func jsonError(name string, lines *lineReader, dec *json.Decoder, err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("%s:%d: malformed JSON: %v", name, lines.at(se.Offset), se)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return fmt.Errorf("%s: truncated JSON: the document ends early", name)
	}
	return fmt.Errorf("%s:%d: %w", name, lines.at(dec.InputOffset()), err)
}

func (p *plan) readJSON(r io.Reader, file int, name string, emit emitFunc) error {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(len(utf8BOM)); err == nil && bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
	}
	lines := &lineReader{r: br}
	dec := json.NewDecoder(lines)
	dec.UseNumber()
	fail := func(err error) error { return jsonError(name, lines, dec, err) }
	// Walk down to the array of records, counting the objects entered.
	depth := 0
	for _, key := range p.records {
		if err := expectDelim(dec, '{', "an object"); err != nil {
			return fail(err)
		}
		depth++
		found := false
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				return fail(err)
			}
			if k, _ := tok.(string); k == key {
				found = true
				break
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fail(err)
			}
		}
		if !found {
			return fmt.Errorf("%s: no key %q on the way to json.records %q", name, key, strings.Join(p.records, "."))
		}
	}
	if err := expectDelim(dec, '[', "an array of records"); err != nil {
		return fail(err)
	}
	rw := p.newRow(file)
	for dec.More() {
		start := dec.InputOffset()
		var v any
		if err := dec.Decode(&v); err != nil {
			return fail(err)
		}
		rw.line = lines.at(lines.skip(start))
		p.fillJSON(rw, v)
		if err := emit(rw); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing ]
		return fail(err)
	}
	// The rest must close what was opened and end the document: a truncated file is an error,
	// never a smaller snapshot.
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			if depth > 0 {
				return fmt.Errorf("%s: truncated JSON: the document ends early", name)
			}
			return nil
		}
		if err != nil {
			return fail(err)
		}
		if depth == 0 {
			return fmt.Errorf("%s:%d: data after the end of the document", name, lines.at(dec.InputOffset()))
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
}

// expectDelim reads the next token and checks it opens what is wanted.
func expectDelim(dec *json.Decoder, d json.Delim, what string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != d {
		return fmt.Errorf("found %s where %s belongs", jsonKind(tok), what)
	}
	return nil
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// jsonKind names what a decoded value or token is, without repeating it.
func jsonKind(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case json.Delim:
		switch v {
		case '{':
			return "an object"
		case '[':
			return "an array"
		}
		return strconv.Quote(v.String())
	}
	return fmt.Sprintf("%T", v)
}

// fillJSON sets a row's cells from a decoded record.
func (p *plan) fillJSON(rw *row, v any) {
	obj, ok := v.(map[string]any)
	if !ok {
		rw.err = "the record is " + jsonKind(v) + ", not an object"
		return
	}
	rw.err = ""
	for s, col := range p.cols {
		c := &rw.cells[s]
		*c = cell{}
		if col == "" {
			continue
		}
		val, found := lookup(obj, col, p.paths[s])
		if !found {
			continue
		}
		switch val := val.(type) {
		case nil:
		case string:
			p.set(c, val)
		case json.Number:
			p.set(c, string(val))
		case bool:
			p.set(c, strconv.FormatBool(val))
		default:
			c.bad = "is " + jsonKind(val) + ", not a value"
		}
	}
}

// lookup finds a key, or a dotted path of keys through nested objects.
func lookup(obj map[string]any, full string, path []string) (any, bool) {
	if v, ok := obj[full]; ok {
		return v, true
	}
	if len(path) < 2 {
		return nil, false
	}
	cur := obj
	for i, k := range path {
		v, ok := cur[k]
		if !ok {
			return nil, false
		}
		if i == len(path)-1 {
			return v, true
		}
		if cur, ok = v.(map[string]any); !ok {
			return nil, false
		}
	}
	return nil, false
}

func (p *plan) readNDJSON(r io.Reader, file int, name string, emit emitFunc) error {
	tail := &lastByte{r: r}
	sc := bufio.NewScanner(tail)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	rw := p.newRow(file)
	line := 0
	// A last line that ends early without a final newline is taken for a cut: the file is
	// refused, not read as a smaller snapshot.
	cut := false
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if line == 1 {
			b = bytes.TrimPrefix(b, utf8BOM)
		}
		b = bytes.TrimSpace(b)
		if len(b) == 0 {
			continue
		}
		rw.line, cut = line, false
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		var v any
		switch err := dec.Decode(&v); {
		case err != nil:
			for s := range rw.cells {
				rw.cells[s] = cell{}
			}
			rw.err = "malformed JSON: " + err.Error()
			var se *json.SyntaxError
			if !errors.As(err, &se) {
				rw.err, cut = "malformed JSON: the line ends early", true
			}
		case dec.InputOffset() != int64(len(b)):
			rw.err = "malformed JSON: data after the object"
		default:
			p.fillJSON(rw, v)
		}
		if err := emit(rw); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("%s:%d: line longer than %d MiB", name, line+1, maxLine>>20)
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	if cut && tail.last != '\n' {
		return fmt.Errorf("%s:%d: truncated NDJSON: the last line ends early", name, rw.line)
	}
	return nil
}
