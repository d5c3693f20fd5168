using System.Buffers.Binary;
using System.Text;

namespace PhaseTune.Text;

/// <summary>The fields of a sentencepiece ModelProto (a `.model` file) a Unigram tokenizer needs, read from the
/// protobuf wire format by hand: pieces (1: piece, 2: score, 3: type), trainer_spec (3: model_type,
/// 24: treat_whitespace_as_suffix, 35: byte_fallback, 40: unk_id) and normalizer_spec (1: name,
/// 2: precompiled_charsmap, 3: add_dummy_prefix, 4: remove_extra_whitespaces, 5: escape_whitespaces).</summary>
public sealed record SentencePieceModel(
    IReadOnlyList<SentencePieceModel.Piece> Pieces, int ModelType, int UnkId, bool ByteFallback, bool TreatWhitespaceAsSuffix,
    string NormalizerName, byte[] CharsMap, bool AddDummyPrefix, bool RemoveExtraWhitespaces, bool EscapeWhitespaces)
{
    public enum PieceType { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 }

    public sealed record Piece(string Text, float Score, PieceType Type);

    public const int Unigram = 1;

    public static SentencePieceModel Read(string path)
    {
        try { return Parse(File.ReadAllBytes(path)); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{path}: not a sentencepiece model ({e.Message})"); }
    }

    public static SentencePieceModel Parse(byte[] data)
    {
        var pieces = new List<Piece>();
        int modelType = Unigram, unkId = 0;
        bool byteFallback = false, suffix = false, dummy = true, removeExtra = true, escape = true;
        string name = "";
        byte[] charsMap = [];
        var top = new Wire(data, 0, data.Length);
        while (top.Next(out int field, out int type))
            switch (field)
            {
                case 1:
                    string text = "";
                    float score = 0;
                    var kind = PieceType.Normal;
                    var p = top.Message(type, "pieces");
                    while (p.Next(out int f, out int t))
                        if (f == 1) text = p.String(t, "piece");
                        else if (f == 2) score = p.Float(t, "score");
                        else if (f == 3) kind = (PieceType)p.Varint(t, "type");
                        else p.Skip(t);
                    if (text.Length == 0) throw new InvalidDataException($"piece {pieces.Count} is empty");
                    if (!Enum.IsDefined(kind)) throw new InvalidDataException($"piece {pieces.Count} ('{text}') has unknown type {(int)kind}");
                    pieces.Add(new Piece(text, score, kind));
                    break;
                case 2:
                    var ts = top.Message(type, "trainer_spec");
                    while (ts.Next(out int f, out int t))
                        if (f == 3) modelType = (int)ts.Varint(t, "model_type");
                        else if (f == 24) suffix = ts.Varint(t, "treat_whitespace_as_suffix") != 0;
                        else if (f == 35) byteFallback = ts.Varint(t, "byte_fallback") != 0;
                        else if (f == 40) unkId = (int)ts.Varint(t, "unk_id");
                        else ts.Skip(t);
                    break;
                case 3:
                    var ns = top.Message(type, "normalizer_spec");
                    while (ns.Next(out int f, out int t))
                        if (f == 1) name = ns.String(t, "name");
                        else if (f == 2) charsMap = ns.Bytes(t, "precompiled_charsmap");
                        else if (f == 3) dummy = ns.Varint(t, "add_dummy_prefix") != 0;
                        else if (f == 4) removeExtra = ns.Varint(t, "remove_extra_whitespaces") != 0;
                        else if (f == 5) escape = ns.Varint(t, "escape_whitespaces") != 0;
                        else ns.Skip(t);
                    break;
                default:
                    top.Skip(type);
                    break;
            }
        if (pieces.Count == 0) throw new InvalidDataException("no pieces");
        return new SentencePieceModel(pieces, modelType, unkId, byteFallback, suffix, name, charsMap, dummy, removeExtra, escape);
    }

    /// <summary>A protobuf reader over one message's bytes; every length is checked against the message's end.</summary>
    struct Wire(byte[] data, int pos, int end)
    {
        int _pos = pos;

        public bool Next(out int field, out int type)
        {
            field = type = 0;
            if (_pos >= end) return false;
            ulong key = ReadVarint("a field key");
            field = (int)(key >> 3);
            type = (int)(key & 7);
            if (field == 0) throw new InvalidDataException($"field number 0 at byte {_pos}");
            return true;
        }

        ulong ReadVarint(string what)
        {
            ulong v = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (_pos >= end) throw new InvalidDataException($"{what} runs past the end of its message");
                byte b = data[_pos++];
                v |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return v;
            }
            throw new InvalidDataException($"{what} is a varint longer than 10 bytes");
        }

        ReadOnlySpan<byte> Span(int type, string what)
        {
            Expect(type, 2, what);
            ulong n = ReadVarint(what);
            if (n > (ulong)(end - _pos)) throw new InvalidDataException($"{what} of {n} bytes runs past the end of its message");
            var s = data.AsSpan(_pos, (int)n);
            _pos += (int)n;
            return s;
        }

        void Expect(int type, int wanted, string what)
        {
            if (type != wanted) throw new InvalidDataException($"{what} has wire type {type}, expected {wanted}");
        }

        public Wire Message(int type, string what)
        {
            var s = Span(type, what);
            return new Wire(data, _pos - s.Length, _pos);
        }

        public string String(int type, string what)
        {
            try { return new UTF8Encoding(false, true).GetString(Span(type, what)); }
            catch (DecoderFallbackException) { throw new InvalidDataException($"{what} is not UTF-8"); }
        }

        public byte[] Bytes(int type, string what) => Span(type, what).ToArray();

        public ulong Varint(int type, string what)
        {
            Expect(type, 0, what);
            return ReadVarint(what);
        }

        public float Float(int type, string what)
        {
            Expect(type, 5, what);
            if (end - _pos < 4) throw new InvalidDataException($"{what} runs past the end of its message");
            float f = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(_pos));
            _pos += 4;
            return f;
        }

        public void Skip(int type)
        {
            switch (type)
            {
                case 0: ReadVarint("a varint"); break;
                case 1: Advance(8); break;
                case 2: Span(2, "a length-delimited field"); break;
                case 5: Advance(4); break;
                default: throw new InvalidDataException($"unsupported wire type {type} at byte {_pos}");
            }
        }

        void Advance(int n)
        {
            if (end - _pos < n) throw new InvalidDataException("a fixed-width field runs past the end of its message");
            _pos += n;
        }
    }
}
