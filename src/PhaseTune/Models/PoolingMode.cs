using TorchSharp;
using static TorchSharp.torch;

namespace PhaseTune.Models;

public enum PoolingMode { Cls, Mean, Max, Pooler }
