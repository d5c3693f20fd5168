using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace PhaseTune.Models;

/// <summary>A BERT / RoBERTa / ELECTRA encoder whose state_dict keys are HF's (`embeddings.*`, ELECTRA's
/// `embeddings_project.*`, `encoder.layer.N.*`, `pooler.*` where the architecture has one); a DistilBERT is the same
/// graph without token types and pooler, its keys mapped to HF's by ModelFiles.CheckpointNames.</summary>
public sealed class BertModel : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    readonly BertEmbeddings embeddings;
    readonly Linear? embeddings_project;
    readonly BertEncoder encoder;
    readonly BertPooler? pooler;

    public EncoderConfig Config { get; private set; }

    /// <summary>Sets every dropout of the encoder (hidden and attention) to <paramref name="p"/>, in its config too, so
    /// that modules built from the config later (a TSDAE decoder) and the saved config.json agree.</summary>
    public void SetDropout(double p)
    {
        var c = Config with { HiddenDropoutProb = p, AttentionProbsDropoutProb = p };
        c.Validate();
        Config = c;
        foreach (var m in modules())
            if (m is FastDropout d) d.P = p;
            else if (m is BertSelfAttention a) a.DropoutP = p;
    }

    public BertModel(EncoderConfig config) : base(nameof(BertModel))
    {
        config.Validate();
        Config = config;
        embeddings = new BertEmbeddings(config);
        embeddings_project = config.ProjectsEmbeddings ? nn.Linear(config.EmbeddingSize, config.HiddenSize) : null;
        encoder = new BertEncoder(config);
        pooler = config.HasPooler ? new BertPooler(config) : null;
        RegisterComponents();
        InitWeights();
    }

    public BertEmbeddings Embeddings => embeddings;

    /// <summary>ELECTRA's projection of the embeddings to the hidden size; null when they are as wide already.</summary>
    public Linear? EmbeddingsProject => embeddings_project;

    /// <summary>The checkpoint's masked-LM head (keys as the head module's own state: `predictions.*` for BERT,
    /// `dense.*`, `layer_norm.*`, `bias` for RoBERTa), kept beside the encoder for a decoder or an MLM phase to start
    /// from and for saving back; null when the checkpoint had none.</summary>
    public IReadOnlyDictionary<string, Tensor>? MaskedLmHead { get; set; }
    public BertEncoder Encoder => encoder;
    public BertPooler Pooler => pooler ?? throw new NotSupportedException($"{Config.ModelType} has no pooler; pool with cls, mean or max");

    /// <summary>HF's _init_weights: normal(0, initializer_range) for Linear and Embedding weights (padding row
    /// zero), zero biases, LayerNorm weight one and bias zero.</summary>
    public void InitWeights()
    {
        using var _ = no_grad();
        foreach (var (name, p) in named_parameters())
        {
            if (name.EndsWith("LayerNorm.weight")) p.fill_(1.0);
            else if (name.EndsWith(".bias")) p.zero_();
            else p.normal_(0.0, Config.InitializerRange);
        }
        embeddings.WordEmbeddings[Config.PadTokenId].zero_();
    }

    /// <summary>Additive attention mask (B, 1, 1, T): 0 where attended, float min on padding.</summary>
    public static Tensor ExtendedMask(Tensor attentionMask, ScalarType dtype = ScalarType.Float32) =>
        (1.0 - attentionMask.to_type(dtype).unsqueeze(1).unsqueeze(2)) * torch.finfo(dtype).min;

    /// <param name="ids">(B, T)</param>
    /// <param name="attentionMask">(B, T) of 1 for tokens, 0 for padding</param>
    /// <param name="types">(B, T) token type ids</param>
    /// <returns>last_hidden_state (B, T, C), HF's values at every position</returns>
    public override Tensor forward(Tensor ids, Tensor attentionMask, Tensor types) => Forward(ids, attentionMask, types, skipPadding: false);

    /// <summary>With <paramref name="skipPadding"/>, only real tokens are computed (<see cref="Packing"/>) and the
    /// padding rows of the result are zeros; real tokens get the same values either way.</summary>
    /// <returns>(B, T, C)</returns>
    public Tensor Forward(Tensor ids, Tensor attentionMask, Tensor types, bool skipPadding)
    {
        var packing = skipPadding ? Packing.For(attentionMask) : null;
        var x = embeddings.forward(ids, types, packing);                      // (B, T, E) or (N, E)
        if (embeddings_project is not null) x = embeddings_project.forward(x);  // (B, T, C) or (N, C)
        x = encoder.forward(x, ExtendedMask(attentionMask), packing);
        return packing is null ? x : packing.ToPadded(x);
    }
}
