package availability

import "math/bits"

// bitRank is a bitset that counts the set bits before any position in constant time: the count
// before each 64-bit word is stored, and a popcount finishes the job. It costs 1.5 bits per
// position, where a prefix sum of int32 would cost 32.
type bitRank struct {
	words  []uint64
	before []uint32 // before[w] is the number of set bits in words[:w]
}

func newBitRank(n int) bitRank {
	w := (n + 63) / 64
	return bitRank{words: make([]uint64, w), before: make([]uint32, w+1)}
}

func (b *bitRank) set(i int) { b.words[i>>6] |= 1 << (i & 63) }

// freeze fills the counts; call it once every bit is set.
func (b *bitRank) freeze() {
	for w, word := range b.words {
		b.before[w+1] = b.before[w] + uint32(bits.OnesCount64(word))
	}
}

// rank returns the number of set bits in [0, i), for i from 0 to the length.
func (b *bitRank) rank(i int) int {
	w := i >> 6
	r := int(b.before[w])
	if off := i & 63; off != 0 {
		r += bits.OnesCount64(b.words[w] & (1<<off - 1))
	}
	return r
}

func (b *bitRank) bytes() int { return 8*len(b.words) + 4*len(b.before) }
