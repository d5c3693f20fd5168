using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace PhaseTune.ModelFiles;

/// <summary>A pickle reader that executes nothing: it knows the opcodes torch.save's state dicts use (protocol 2, plus
/// protocol 4's framing and short forms) and resolves a global only from the caller's allow-list. Any other global is
/// refused when the opcode naming it is read, so nothing a file names is ever called; an allowed callable is a C#
/// function of the caller that builds a plain description (a tensor's storage, offset, shape and strides).</summary>
/// <remarks>Values: null, bool, long, BigInteger (LONG1 beyond 8 bytes), double, string, byte[], object?[] (tuple),
/// List&lt;object?&gt; (list), <see cref="Dict"/>, <see cref="Global"/>, and whatever the callbacks return.</remarks>
internal sealed class RestrictedUnpickler
{
    /// <summary>A pickled dict in insertion order (keys need not be hashable in C#).</summary>
    public sealed class Dict
    {
        public List<KeyValuePair<object?, object?>> Items { get; } = [];
    }

    /// <summary>An allowed global (a class or function named by the pickle); only <see cref="Call"/> gives it meaning.</summary>
    public sealed record Global(string Module, string Name)
    {
        public override string ToString() => $"{Module}.{Name}";
    }

    sealed class Mark;

    readonly byte[] _data;
    readonly string _where;
    readonly IReadOnlyDictionary<string, Func<object?[], object?>> _callables;
    readonly IReadOnlySet<string> _classes;
    readonly Func<object?, object?> _persistentLoad;
    int _pos;

    /// <param name="where">the file (and member) named in every error</param>
    /// <param name="callables">"module.name" → what REDUCE of that global with its argument tuple returns</param>
    /// <param name="classes">"module.name" of globals that may appear as values (storage types) but are never called</param>
    /// <param name="persistentLoad">what BINPERSID's id stands for</param>
    RestrictedUnpickler(byte[] data, int start, string where, IReadOnlyDictionary<string, Func<object?[], object?>> callables,
        IReadOnlySet<string> classes, Func<object?, object?> persistentLoad)
    {
        _data = data; _pos = start; _where = where; _callables = callables; _classes = classes; _persistentLoad = persistentLoad;
    }

    /// <summary>Reads one pickle from <paramref name="start"/>; returns its value and the offset after its STOP.</summary>
    public static (object? Value, int End) Load(byte[] data, int start, string where,
        IReadOnlyDictionary<string, Func<object?[], object?>> callables, IReadOnlySet<string> classes, Func<object?, object?> persistentLoad)
    {
        var u = new RestrictedUnpickler(data, start, where, callables, classes, persistentLoad);
        var value = u.Run();
        return (value, u._pos);
    }

    public static string Describe(object? value) => value switch
    {
        null => "None",
        object?[] => "tuple",
        List<object?> => "list",
        Dict => "dict",
        string s => $"string '{s}'",
        Global g => $"global {g}",
        _ => value.GetType().Name,
    };

    object? Run()
    {
        var stack = new List<object?>();
        var marks = new Stack<int>();
        var memo = new Dictionary<long, object?>();
        while (true)
        {
            int at = _pos;
            byte op = U8();
            switch (op)
            {
                case 0x80: U8(); break;                                        // PROTO n
                case 0x95: Bytes(8); break;                                    // FRAME: a length hint only
                case (byte)'.':                                                // STOP
                    if (stack.Count != 1 || marks.Count > 0) throw Malformed(at, "STOP with a stack that is not a single value");
                    return stack[0];
                case (byte)'(': marks.Push(stack.Count); stack.Add(new Mark()); break;
                case (byte)'0': Pop(stack, at); break;                         // POP
                case (byte)'1': PopMark(stack, marks, at); break;              // POP_MARK
                case (byte)'2': stack.Add(Peek(stack, at)); break;             // DUP
                case (byte)'N': stack.Add(null); break;
                case 0x88: stack.Add(true); break;
                case 0x89: stack.Add(false); break;
                case (byte)'K': stack.Add((long)U8()); break;                  // BININT1
                case (byte)'M': stack.Add((long)BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2))); break;
                case (byte)'J': stack.Add((long)BinaryPrimitives.ReadInt32LittleEndian(Bytes(4))); break;
                case 0x8a: stack.Add(Long(Bytes(U8()))); break;               // LONG1
                case (byte)'G': stack.Add(BinaryPrimitives.ReadDoubleBigEndian(Bytes(8))); break;
                case (byte)'X': stack.Add(Utf8(Bytes(Length32()), at)); break; // BINUNICODE
                case 0x8c: stack.Add(Utf8(Bytes(U8()), at)); break;           // SHORT_BINUNICODE
                case (byte)'T': stack.Add(Latin1(Bytes(Length32()))); break;  // BINSTRING (Python 2 str)
                case (byte)'U': stack.Add(Latin1(Bytes(U8()))); break;        // SHORT_BINSTRING
                case (byte)'B': stack.Add(Bytes(Length32()).ToArray()); break; // BINBYTES
                case (byte)'C': stack.Add(Bytes(U8()).ToArray()); break;      // SHORT_BINBYTES
                case (byte)')': stack.Add(Array.Empty<object?>()); break;
                case 0x85: stack.Add(Take(stack, 1, at)); break;
                case 0x86: stack.Add(Take(stack, 2, at)); break;
                case 0x87: stack.Add(Take(stack, 3, at)); break;
                case (byte)'t': stack.Add(PopMark(stack, marks, at).ToArray()); break;
                case (byte)']': stack.Add(new List<object?>()); break;
                case (byte)'l': stack.Add(PopMark(stack, marks, at)); break;
                case (byte)'a': { var v = Pop(stack, at); AsList(Peek(stack, at), at).Add(v); break; }
                case (byte)'e': { var items = PopMark(stack, marks, at); AsList(Peek(stack, at), at).AddRange(items); break; }
                case (byte)'}': stack.Add(new Dict()); break;
                case (byte)'d': stack.Add(Pairs(new Dict(), PopMark(stack, marks, at), at)); break;
                case (byte)'s':
                {
                    var v = Pop(stack, at); var k = Pop(stack, at);
                    AsDict(Peek(stack, at), at).Items.Add(new(k, v));
                    break;
                }
                case (byte)'u': { var items = PopMark(stack, marks, at); Pairs(AsDict(Peek(stack, at), at), items, at); break; }
                case (byte)'q': memo[U8()] = Peek(stack, at); break;          // BINPUT
                case (byte)'r': memo[BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4))] = Peek(stack, at); break;
                case 0x94: memo[memo.Count] = Peek(stack, at); break;          // MEMOIZE
                case (byte)'h': stack.Add(Get(memo, U8(), at)); break;        // BINGET
                case (byte)'j': stack.Add(Get(memo, BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4)), at)); break;
                case (byte)'c': stack.Add(Resolve(Line(at), Line(at), at)); break;   // GLOBAL module\nname\n
                case 0x93:                                                     // STACK_GLOBAL
                {
                    var name = Pop(stack, at); var module = Pop(stack, at);
                    if (module is not string m || name is not string n) throw Malformed(at, "STACK_GLOBAL without two strings");
                    stack.Add(Resolve(m, n, at));
                    break;
                }
                case (byte)'R':                                                // REDUCE
                {
                    var args = Pop(stack, at); var callable = Pop(stack, at);
                    stack.Add(Call(callable, args, at));
                    break;
                }
                case (byte)'b':                                                // BUILD: only a dict's attributes (state_dict()'s _metadata)
                {
                    var state = Pop(stack, at);
                    if (Peek(stack, at) is not Dict || state is not Dict)
                        throw Malformed(at, $"BUILD of a {Describe(Peek(stack, at))} with a {Describe(state)} (only a dict's attributes are accepted)");
                    break;
                }
                case (byte)'Q': stack.Add(_persistentLoad(Pop(stack, at))); break;   // BINPERSID
                default:
                    throw new InvalidDataException($"{_where}: pickle opcode 0x{op:x2} ('{(op is >= 32 and < 127 ? (char)op : '?')}') at byte {at} " +
                        "is not one a torch state dict uses; refusing the file");
            }
        }
    }

    /// <summary>An allowed global, or the refusal — before anything after it in the file is even read.</summary>
    Global Resolve(string module, string name, int at)
    {
        string full = $"{module}.{name}";
        if (_callables.ContainsKey(full) || _classes.Contains(full)) return new Global(module, name);
        throw new InvalidDataException($"{_where}: the pickle names the global '{full}' (at byte {at}), which PhaseTune refuses: only torch's " +
            "tensor-rebuild functions and storage types are accepted. Under Python's pickle this could run code; the file was not loaded");
    }

    object? Call(object? callable, object? args, int at)
    {
        if (callable is not Global g) throw Malformed(at, $"REDUCE of a {Describe(callable)}, not a global");
        if (!_callables.TryGetValue(g.ToString(), out var f)) throw Malformed(at, $"REDUCE calls '{g}', which is a type here, not a function");
        if (args is not object?[] tuple) throw Malformed(at, $"REDUCE of '{g}' with a {Describe(args)} instead of an argument tuple");
        return f(tuple);
    }

    Dict Pairs(Dict d, List<object?> items, int at)
    {
        if (items.Count % 2 != 0) throw Malformed(at, "an odd number of items for a dict");
        for (int i = 0; i < items.Count; i += 2) d.Items.Add(new(items[i], items[i + 1]));
        return d;
    }

    List<object?> AsList(object? o, int at) => o as List<object?> ?? throw Malformed(at, $"append to a {Describe(o)}");
    Dict AsDict(object? o, int at) => o as Dict ?? throw Malformed(at, $"set an item of a {Describe(o)}");

    object? Get(Dictionary<long, object?> memo, long key, int at) =>
        memo.TryGetValue(key, out var v) ? v : throw Malformed(at, $"memo entry {key} read before it was written");

    object? Pop(List<object?> stack, int at)
    {
        var v = Peek(stack, at);
        stack.RemoveAt(stack.Count - 1);
        return v;
    }

    object? Peek(List<object?> stack, int at)
    {
        if (stack.Count == 0 || stack[^1] is Mark) throw Malformed(at, "stack underflow");
        return stack[^1];
    }

    object?[] Take(List<object?> stack, int n, int at)
    {
        var items = new object?[n];
        for (int i = n - 1; i >= 0; i--) items[i] = Pop(stack, at);
        return items;
    }

    List<object?> PopMark(List<object?> stack, Stack<int> marks, int at)
    {
        if (marks.Count == 0) throw Malformed(at, "no MARK to pop to");
        int m = marks.Pop();
        var items = stack.GetRange(m + 1, stack.Count - m - 1);
        stack.RemoveRange(m, stack.Count - m);
        return items;
    }

    InvalidDataException Malformed(int at, string what) => new($"{_where}: malformed pickle at byte {at}: {what}");

    byte U8() => Bytes(1)[0];

    int Length32()
    {
        uint n = BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4));
        return n <= int.MaxValue ? (int)n : throw Truncated();
    }

    ReadOnlySpan<byte> Bytes(int n)
    {
        if (n > _data.Length - _pos) throw Truncated();
        var span = _data.AsSpan(_pos, n);
        _pos += n;
        return span;
    }

    Exception Truncated() => new InvalidDataException($"{_where}: the pickle ends before its STOP opcode (truncated or corrupt file)");

    string Line(int at)
    {
        int end = Array.IndexOf(_data, (byte)'\n', _pos);
        if (end < 0) throw Truncated();
        var s = Utf8(_data.AsSpan(_pos, end - _pos), at);
        _pos = end + 1;
        return s;
    }

    string Utf8(ReadOnlySpan<byte> bytes, int at)
    {
        try { return new UTF8Encoding(false, true).GetString(bytes); }
        catch (DecoderFallbackException) { throw Malformed(at, "a string that is not UTF-8"); }
    }

    static string Latin1(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    static object Long(ReadOnlySpan<byte> bytes)
    {
        var big = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return big >= long.MinValue && big <= long.MaxValue ? (long)big : big;
    }
}
