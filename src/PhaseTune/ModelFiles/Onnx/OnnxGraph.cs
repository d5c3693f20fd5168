using System.Runtime.InteropServices;
using Google.Protobuf;
using PhaseTune.ModelFiles.Onnx.Proto;
using static TorchSharp.torch;
using DataType = PhaseTune.ModelFiles.Onnx.Proto.TensorProto.Types.DataType;

namespace PhaseTune.ModelFiles.Onnx;

/// <summary>Builds an ai.onnx graph node by node: each op returns the name of its (single) output, weights become
/// float32 initializers under their state_dict keys, constants are shared initializers.</summary>
/// <param name="int8">whether <see cref="Linear"/> quantizes the layers it is asked to (dynamic int8)</param>
internal sealed class OnnxGraph(IReadOnlyDictionary<string, Tensor> weights, bool int8 = false)
{
    readonly GraphProto _graph = new() { Name = "phasetune" };
    readonly Dictionary<string, string> _constants = new();
    readonly HashSet<string> _stored = new();
    long _bytes;
    int _next;

    /// <summary>A protobuf message cannot exceed 2 GiB, and ONNX's external-data layout is not written.</summary>
    const long MaxBytes = int.MaxValue - (64 << 20);

    public GraphProto Proto => _graph;

    /// <summary>Adds a node and returns its output's name.</summary>
    public string Op(string type, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        string output = $"{type}_{_next++}";
        var node = new NodeProto { OpType = type, Name = output, Output = { output } };
        node.Input.AddRange(inputs);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return output;
    }

    public string Op(string type, params string[] inputs) => Op(type, inputs, []);

    /// <summary>Adds a node with <paramref name="outputs"/> outputs and returns their names.</summary>
    public string[] Ops(string type, int outputs, params string[] inputs)
    {
        string name = $"{type}_{_next++}";
        var names = Enumerable.Range(0, outputs).Select(k => $"{name}_{k}").ToArray();
        var node = new NodeProto { OpType = type, Name = name, Output = { names } };
        node.Input.AddRange(inputs);
        _graph.Node.Add(node);
        return names;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };
    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };
    public static AttributeProto Ints(string name, params long[] values) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Ints, Ints = { values } };

    /// <summary>The state_dict tensor <paramref name="key"/>, stored once as a float32 initializer of that name.</summary>
    public string Weight(string key)
    {
        if (!weights.TryGetValue(key, out var t)) throw new InvalidOperationException($"the model has no parameter '{key}'");
        if (_stored.Add(key))
        {
            using var f = t.detach().to(CPU).to_type(ScalarType.Float32).contiguous();
            AddInitializer(key, DataType.Float, f.shape, MemoryMarshal.AsBytes(f.data<float>().ToArray().AsSpan()));
        }
        return key;
    }

    /// <summary>A float scalar (0-D, so it broadcasts against anything).</summary>
    public string Scalar(float value) =>
        Constant($"f32 {value:R}", DataType.Float, [], MemoryMarshal.AsBytes(new[] { value }.AsSpan()));

    /// <summary>An int64 scalar (0-D): an index that drops the axis it selects on, or a bound for Range.</summary>
    public string Scalar(long value) =>
        Constant($"i64 {value}", DataType.Int64, [], MemoryMarshal.AsBytes(new[] { value }.AsSpan()));

    /// <summary>An int64 vector: a shape or a list of axes.</summary>
    public string Vector(params long[] values) =>
        Constant($"i64 [{string.Join(",", values)}]", DataType.Int64, [values.Length], MemoryMarshal.AsBytes(values.AsSpan()));

    string Constant(string key, DataType type, long[] dims, ReadOnlySpan<byte> bytes)
    {
        if (_constants.TryGetValue(key, out var name)) return name;
        name = $"const_{_constants.Count}";
        AddInitializer(name, type, dims, bytes);
        _constants[key] = name;
        return name;
    }

    void AddInitializer(string name, DataType type, long[] dims, ReadOnlySpan<byte> bytes)
    {
        // raw_data is little-endian by definition; the spans above are in the host's order
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX export needs a little-endian host");
        _bytes += bytes.Length;
        if (_bytes > MaxBytes) throw new NotSupportedException($"the model's weights exceed {MaxBytes >> 20} MiB, more than one ONNX file can hold");
        var t = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(bytes) };
        t.Dims.AddRange(dims);
        _graph.Initializer.Add(t);
    }

    /// <summary>Declares a graph input; a string dimension is a dynamic axis of that name.</summary>
    public string Input(string name, DataType type, params object[] dims)
    {
        _graph.Input.Add(ValueInfo(name, type, dims));
        return name;
    }

    /// <summary>Declares <paramref name="value"/> a graph output named <paramref name="name"/>.</summary>
    public void Output(string name, string value, DataType type, params object[] dims)
    {
        _graph.Node.Add(new NodeProto { OpType = "Identity", Name = name, Input = { value }, Output = { name } });
        _graph.Output.Add(ValueInfo(name, type, dims));
    }

    static ValueInfoProto ValueInfo(string name, DataType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
            shape.Dim.Add(d switch
            {
                string param => new TensorShapeProto.Types.Dimension { DimParam = param },
                int n => new TensorShapeProto.Types.Dimension { DimValue = n },
                _ => throw new ArgumentException($"dimension {d}: expected a name or an int"),
            });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }

    // ---- building blocks shared by the encoder and the head ----

    /// <summary>x·Wᵀ + b for a torch Linear stored as <paramref name="prefix"/>.weight (out, in) and .bias; with
    /// <paramref name="quantize"/> in an int8 graph, as <see cref="QuantizedMatMul"/>.</summary>
    /// <param name="x">(..., in)</param> <returns>(..., out)</returns>
    public string Linear(string x, string prefix, bool quantize = false) => Linear(x, [prefix], quantize);

    /// <summary>Several Linears of one input as one product: their outputs side by side, (..., Σ out). The weights
    /// stay initializers under their own keys; the concatenation is constant, so a runtime folds it once.</summary>
    public string Linear(string x, string[] prefixes, bool quantize = false)
    {
        string product = quantize && int8
            ? QuantizedMatMul(x, prefixes.Select(p => p + ".weight").ToArray())
            : Op("MatMul", x, Concat(prefixes.Select(p => Op("Transpose", [Weight(p + ".weight")], Ints("perm", 1, 0))).ToArray(), 1));
        return Op("Add", product, Concat(prefixes.Select(p => Weight(p + ".bias")).ToArray(), 0));
    }

    string Concat(string[] parts, long axis) => parts.Length == 1 ? parts[0] : Op("Concat", parts, Int("axis", axis));

    /// <summary>Dynamic int8 quantization of x·[W₁ᵀ W₂ᵀ …], as OnnxRuntime's quantize_dynamic lays it out (so its
    /// MatMulIntegerToFloat fusions apply): x to uint8 with a per-call scale and zero point (DynamicQuantizeLinear),
    /// the weights to int8 per output column, symmetric (scale max|w|/127, zero point 0), an integer product, then
    /// the two scales.</summary>
    /// <param name="x">(..., in)</param> <returns>(..., Σ out) float</returns>
    string QuantizedMatMul(string x, string[] keys)
    {
        float[] values;
        long n, m;
        using (NewDisposeScope())
        {
            var columns = keys.Select(key => weights.TryGetValue(key, out var t)
                ? t.detach().to(CPU).to_type(ScalarType.Float32)
                : throw new InvalidOperationException($"the model has no parameter '{key}'")).ToArray();
            var w = cat(columns, 0).t().contiguous();                                                    // (in, Σ out)
            (n, m) = (w.shape[0], w.shape[1]);
            values = w.data<float>().ToArray();
        }
        var scale = new float[m];
        for (long j = 0; j < m; j++)
        {
            float max = 0;
            for (long i = 0; i < n; i++) max = Math.Max(max, Math.Abs(values[i * m + j]));
            scale[j] = max > 0 ? max / 127f : 1f;
        }
        var q = new sbyte[values.Length];
        for (long i = 0; i < n; i++)
            for (long j = 0; j < m; j++) q[i * m + j] = (sbyte)Math.Clamp(MathF.Round(values[i * m + j] / scale[j], MidpointRounding.ToEven), -127, 127);
        string name = string.Join("+", keys);
        string wq = name + "_quantized", ws = name + "_scale", wzp = name + "_zero_point";
        AddInitializer(wq, DataType.Int8, [n, m], MemoryMarshal.AsBytes(q.AsSpan()));
        AddInitializer(ws, DataType.Float, [m], MemoryMarshal.AsBytes(scale.AsSpan()));
        AddInitializer(wzp, DataType.Int8, [m], new byte[m]);
        var (xq, xs, xzp) = Ops("DynamicQuantizeLinear", 3, x) is var o ? (o[0], o[1], o[2]) : default;
        var product = Op("Cast", [Op("MatMulInteger", xq, wq, xzp, wzp)], Int("to", (long)DataType.Float));   // (..., Σ out) int32 → float
        return Op("Mul", product, Op("Mul", xs, ws));
    }

    /// <summary>LayerNorm over the last axis with a torch LayerNorm's weight and bias.</summary>
    public string LayerNorm(string x, string prefix, double eps) =>
        Op("LayerNormalization", [x, Weight(prefix + ".weight"), Weight(prefix + ".bias")], Int("axis", -1), Float("epsilon", (float)eps));

    /// <summary>An activation by its HF / PhaseTune name, with torch's formulas.</summary>
    public string Activation(string name, string x) => name switch
    {
        // exact GELU: (x · ½)(erf(x/√2) + 1), in the node order OnnxRuntime's Gelu fusion recognises
        "gelu" => Op("Mul", Op("Mul", x, Scalar(0.5f)), Op("Add", Op("Erf", Op("Div", x, Scalar(MathF.Sqrt(2f)))), Scalar(1f))),
        // HF's NewGELU: ½x(1 + tanh(√(2/π)(x + 0.044715x³)))
        "gelu_new" or "gelu_pytorch_tanh" or "gelu_fast" => Op("Mul", Op("Mul", Scalar(0.5f), x), Op("Add", Scalar(1f),
            Op("Tanh", Op("Mul", Scalar((float)Math.Sqrt(2.0 / Math.PI)), Op("Add", x, Op("Mul", Scalar(0.044715f), Op("Mul", x, Op("Mul", x, x)))))))),
        "relu" => Op("Relu", x),
        "silu" or "swish" => Op("Mul", x, Op("Sigmoid", x)),
        "tanh" => Op("Tanh", x),
        "none" => x,
        _ => throw new NotSupportedException($"activation '{name}' has no ONNX export"),
    };
}
