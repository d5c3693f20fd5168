using System.Buffers.Binary;
using System.Text;

namespace PhaseTune.Text;

/// <summary>SentencePiece's compiled normalization rules (normalizer_spec.precompiled_charsmap, HF's "Precompiled"
/// normalizer): a little-endian uint32 byte size, a darts-clone double-array trie over UTF-8 keys, then the
/// NUL-terminated replacement strings the trie's values point into.</summary>
public sealed class PrecompiledCharsMap
{
    readonly uint[] _units;
    readonly Dictionary<uint, string> _replacements;   // trie value → its replacement, all decoded at load

    public byte[] Blob { get; }

    PrecompiledCharsMap(byte[] blob, uint[] units, Dictionary<uint, string> replacements)
    {
        Blob = blob;
        _units = units;
        _replacements = replacements;
    }

    /// <summary>Reads and checks the whole blob: every unit reachable in the trie lies inside it, the trie has no
    /// cycle, and every value names a NUL-terminated UTF-8 string, so that matching never reads outside it.</summary>
    public static PrecompiledCharsMap Parse(byte[] blob)
    {
        if (blob.Length <= 4) throw new InvalidDataException($"precompiled_charsmap of {blob.Length} bytes is too short");
        uint trieBytes = BinaryPrimitives.ReadUInt32LittleEndian(blob);
        if (trieBytes % 4 != 0 || trieBytes == 0 || trieBytes > (uint)blob.Length - 4)
            throw new InvalidDataException($"precompiled_charsmap: trie size {trieBytes} does not fit its {blob.Length} bytes");
        var units = new uint[trieBytes / 4];
        for (int i = 0; i < units.Length; i++) units[i] = BinaryPrimitives.ReadUInt32LittleEndian(blob.AsSpan(4 + 4 * i));
        var pool = blob.AsSpan(4 + (int)trieBytes);
        var strict = new UTF8Encoding(false, throwOnInvalidBytes: true);
        var replacements = new Dictionary<uint, string>();
        // darts-clone shares equal subtrees, so the trie is a DAG: walk it depth-first, each node once
        var state = new byte[units.Length];   // 0 unseen, 1 on the current path, 2 done
        var stack = new Stack<(uint Base, uint Next)>();
        uint root = Offset(units[0]);
        if (root >= units.Length) throw new InvalidDataException("precompiled_charsmap: the trie's root points outside it");
        state[root] = 1;
        stack.Push((root, 1));
        while (stack.Count > 0)
        {
            var (b, c) = stack.Pop();
            while (c < 256 && (b ^ c) is var at && (at >= units.Length || Label(units[at]) != c)) c++;
            if (c == 256) { state[b] = 2; continue; }
            stack.Push((b, c + 1));
            uint unit = units[b ^ c], child = b ^ c ^ Offset(unit);
            if (child >= units.Length) throw new InvalidDataException($"precompiled_charsmap: trie unit {b ^ c} points outside the trie");
            if (HasLeaf(unit) && !replacements.ContainsKey(Value(units[child])))
                replacements[Value(units[child])] = Replacement(pool, Value(units[child]), strict);
            if (state[child] == 1) throw new InvalidDataException("precompiled_charsmap: the trie has a cycle");
            if (state[child] == 0) { state[child] = 1; stack.Push((child, 1)); }
        }
        return new PrecompiledCharsMap(blob, units, replacements);
    }

    static string Replacement(ReadOnlySpan<byte> pool, uint value, UTF8Encoding strict)
    {
        int nul = value < pool.Length ? pool[(int)value..].IndexOf((byte)0) : -1;
        if (nul < 0) throw new InvalidDataException($"precompiled_charsmap: value {value} names no NUL-terminated string in the {pool.Length}-byte pool");
        try { return strict.GetString(pool.Slice((int)value, nul)); }
        catch (DecoderFallbackException) { throw new InvalidDataException($"precompiled_charsmap: the replacement at {value} is not UTF-8"); }
    }

    /// <summary>The longest rule that is a prefix of <paramref name="input"/>, as sentencepiece's normalizer picks it.</summary>
    public bool TryMatch(ReadOnlySpan<byte> input, out int length, out string replacement)
    {
        length = 0;
        replacement = "";
        uint pos = Offset(_units[0]);
        for (int i = 0; i < input.Length; i++)
        {
            byte c = input[i];
            pos ^= c;
            if (c == 0 || pos >= _units.Length || Label(_units[pos]) != c) break;
            uint unit = _units[pos];
            pos ^= Offset(unit);
            if (HasLeaf(unit))
            {
                length = i + 1;
                replacement = _replacements[Value(_units[pos])];
            }
        }
        return length > 0;
    }

    // darts-clone's unit layout
    static bool HasLeaf(uint u) => ((u >> 8) & 1) == 1;
    static uint Value(uint u) => u & 0x7FFF_FFFFu;
    static uint Label(uint u) => u & 0x8000_00FFu;
    static uint Offset(uint u) => (u >> 10) << (int)((u & (1u << 9)) >> 6);
}
