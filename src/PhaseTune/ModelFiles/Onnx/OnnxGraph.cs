using System.Runtime.InteropServices;
using Google.Protobuf;
using PhaseTune.ModelFiles.Onnx.Proto;
using static TorchSharp.torch;
using DataType = PhaseTune.ModelFiles.Onnx.Proto.TensorProto.Types.DataType;

namespace PhaseTune.ModelFiles.Onnx;

/// <summary>Builds an ai.onnx graph node by node: each op returns the name of its (single) output, weights become
/// float32 initializers under their state_dict keys, constants are shared initializers.</summary>
internal sealed class OnnxGraph(IReadOnlyDictionary<string, Tensor> weights)
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

    /// <summary>x·Wᵀ + b for a torch Linear stored as <paramref name="prefix"/>.weight (out, in) and .bias.</summary>
    /// <param name="x">(..., in)</param> <returns>(..., out)</returns>
    public string Linear(string x, string prefix) =>
        Op("Add", Op("MatMul", x, Op("Transpose", [Weight(prefix + ".weight")], Ints("perm", 1, 0))), Weight(prefix + ".bias"));

    /// <summary>LayerNorm over the last axis with a torch LayerNorm's weight and bias.</summary>
    public string LayerNorm(string x, string prefix, double eps) =>
        Op("LayerNormalization", [x, Weight(prefix + ".weight"), Weight(prefix + ".bias")], Int("axis", -1), Float("epsilon", (float)eps));

    /// <summary>An activation by its HF / PhaseTune name, with torch's formulas.</summary>
    public string Activation(string name, string x) => name switch
    {
        // exact GELU: x · ½(1 + erf(x/√2))
        "gelu" => Op("Mul", x, Op("Mul", Scalar(0.5f), Op("Add", Scalar(1f), Op("Erf", Op("Div", x, Scalar(MathF.Sqrt(2f))))))),
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
