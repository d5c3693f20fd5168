namespace PhaseTune.Models;

public enum PoolingMode { Cls, Mean, Max, Pooler }
