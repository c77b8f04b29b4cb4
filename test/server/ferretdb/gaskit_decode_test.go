// Gaskit's decoder of FerretDB's stored JSON (server/db/ferretdb/sjson_decode.go.overlay) against
// FerretDB's own: test/server/embedded-decoder.test.ts copies FerretDB's module, adds the decoder
// as internal/handler/sjson/gaskit_decode.go and this file beside it, and runs `go test -run
// Gaskit`; bench/db-decode.bench.mjs runs the benchmarks. `Unmarshal` here is FerretDB's, since
// the copy keeps its sjson.go; `unmarshalDocument` is Gaskit's.

package sjson

import (
	"encoding/json"
	"math/rand"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/FerretDB/FerretDB/internal/types"
	"github.com/FerretDB/FerretDB/internal/util/must"
)

// Every test case of the package's types, as the value of a top-level field: both decoders agree.
func TestGaskitDecoderAgrees(t *testing.T) {
	all := [][]testCase{arrayTestCases, binaryTestCases, boolTestCases, dateTimeTestCases, documentTestCases,
		doubleTestCases, int32TestCases, int64TestCases, objectIDTestCases, regexTestCases, stringTestCases, timestampTestCases}
	n := 0
	for _, cases := range all {
		for _, tc := range cases {
			if tc.sch == nil {
				continue
			}
			sch, err := json.Marshal(tc.sch)
			require.NoError(t, err)
			for _, j := range []string{tc.j, tc.canonJ} {
				if j == "" {
					continue
				}
				doc := `{"$s":{"p":{"v":` + string(sch) + `},"$k":["v"]},"v":` + j + `}`
				compare(t, tc.name, []byte(doc))
				n++
			}
		}
	}
	t.Logf("%d cases", n)
}

func compare(t *testing.T, name string, data []byte) {
	t.Helper()
	want, wantErr := Unmarshal(data)
	got, gotErr := unmarshalDocument(data)
	if wantErr != nil {
		assert.Error(t, gotErr, "%s: %s", name, data)
		return
	}
	if !assert.NoError(t, gotErr, "%s: %s", name, data) {
		return
	}
	assertEqual(t, want, got, name)
}

// Random documents marshalled by FerretDB, and corruptions of them: both decoders agree.
func TestGaskitDecoderAgreesOnRandomDocuments(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	strs := []string{"", "a", "Газ «Север»", "quote\"back\\slash", "ctl\x01\n\t", "<&>", "\u2028", "emoji 🔥", "bad\xffutf"}
	var value func(depth int) any
	value = func(depth int) any {
		switch k := r.Intn(12); {
		case k == 0 && depth < 3:
			d := types.MakeDocument(0)
			for i := 0; i < r.Intn(5); i++ {
				d.Set(strs[r.Intn(len(strs))]+strconv.Itoa(i), value(depth+1))
			}
			return d
		case k == 1 && depth < 3:
			a := types.MakeArray(0)
			for i := 0; i < r.Intn(5); i++ {
				a.Append(value(depth + 1))
			}
			return a
		case k == 2:
			return []float64{0, 1.5, -2.25e-300, 1e300, 123456789.123, 0.1 + 0.2}[r.Intn(6)]
		case k == 3:
			return strs[r.Intn(len(strs))]
		case k == 4:
			return types.ObjectID{byte(r.Intn(256)), 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}
		case k == 5:
			return r.Intn(2) == 0
		case k == 6:
			return time.UnixMilli(r.Int63n(1<<42) - 1<<41).UTC()
		case k == 7:
			return types.Null
		case k == 8:
			return int32(r.Int31() - 1<<30)
		case k == 9:
			return r.Int63() - 1<<62
		case k == 10:
			return types.Binary{Subtype: types.BinaryGeneric, B: []byte{1, 2, byte(r.Intn(256))}}
		default:
			return types.Timestamp(r.Uint64())
		}
	}
	for i := 0; i < 3000; i++ {
		d := types.MakeDocument(0)
		d.Set("_id", strs[r.Intn(len(strs))]+strconv.Itoa(i))
		for j := 0; j < r.Intn(8); j++ {
			d.Set("f"+strconv.Itoa(j), value(0))
		}
		data := must.NotFail(Marshal(d))
		compare(t, "random", data)
		// corruptions: a byte changed, a byte dropped, truncated
		for c := 0; c < 5; c++ {
			b := append([]byte(nil), data...)
			p := r.Intn(len(b))
			switch c % 3 {
			case 0:
				b[p] = "{}[],:\"\\ 0-1e.tfn"[r.Intn(17)]
			case 1:
				b = append(b[:p], b[p+1:]...)
			default:
				b = b[:p]
			}
			compare(t, "corrupt", b)
		}
	}
}

// An account's current month as Gaskit stores it: six charge lines, a balance, dates and ids.
func gaskitMonth() *types.Document {
	lines := types.MakeArray(6)
	for i := 0; i < 6; i++ {
		lines.Append(must.NotFail(types.NewDocument(
			"service", "Газоснабжение природным газом",
			"unit", "м³",
			"tariff", 7.89,
			"volume", 12.5+float64(i),
			"amount", 98.63+float64(i),
		)))
	}
	return must.NotFail(types.NewDocument(
		"_id", "65a1b2c3d4e5f60718293a4b:1000123456",
		"tenantId", types.ObjectID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12},
		"period", "2026-11",
		"charge", must.NotFail(types.NewDocument("lines", lines, "total", 611.28, "accrued", int32(3))),
		"balance", must.NotFail(types.NewDocument("opening", 1250.4, "charged", 611.28, "paid", 1000.0, "closing", 861.68)),
		"balanceSeq", int32(2),
		"updatedAt", time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC),
	))
}

// BenchmarkGaskitDecode decodes gaskitMonth with FerretDB's decoder and with Gaskit's.
func BenchmarkGaskitDecode(b *testing.B) {
	data := must.NotFail(Marshal(gaskitMonth()))
	for name, decode := range map[string]func([]byte) (*types.Document, error){
		"FerretDB": Unmarshal,
		"Gaskit":   unmarshalDocument,
	} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := decode(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
