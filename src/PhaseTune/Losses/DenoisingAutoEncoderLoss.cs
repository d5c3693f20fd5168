using PhaseTune.Models;
using static TorchSharp.torch;

namespace PhaseTune.Losses;

/// <summary>TSDAE (Wang, Reimers, Gurevych 2021, "TSDAE: Using Transformer-based Sequential Denoising
/// Auto-Encoder for Unsupervised Sentence Embedding Learning"): the encoder reads the damaged sentence and pools it
/// to one vector; the decoder must rebuild the clean sentence (inputs ids[:-1], targets ids[1:]) attending only to
/// that vector. Cross-entropy over the vocabulary, padding ignored.</summary>
public sealed class DenoisingAutoEncoderLoss : nn.Module, ILoss<DaeBatch>
{
    readonly SentenceEncoder encoder;
    readonly BertDecoder decoder;

    public DenoisingAutoEncoderLoss(SentenceEncoder encoder, bool tieDecoder = true) : base(nameof(DenoisingAutoEncoderLoss))
    {
        this.encoder = encoder;
        decoder = new BertDecoder(encoder.Encoder, tieDecoder);
        RegisterComponents();
    }

    public BertDecoder Decoder => decoder;

    /// <summary>Called after each part of <see cref="Forward"/> (encode, decode, project) with its name: `bench train
    /// --objective dae --profile` times the parts through it.</summary>
    internal Action<string>? Lap { get; set; }

    public Tensor Forward(DaeBatch batch)
    {
        var n = batch.Noisy;
        var memory = encoder.forward(n.Ids, n.Mask, n.Types).unsqueeze(1);        // (B, 1, C)
        Lap?.Invoke("encode");
        var clean = batch.Clean;
        long t = clean.Ids.shape[1];
        var input = clean.Ids[.., ..(int)(t - 1)];                               // (B, T-1)
        var inputMask = clean.Mask[.., ..(int)(t - 1)];
        var target = clean.Ids[.., 1..];                                         // (B, T-1)
        var real = inputMask.to_type(ScalarType.Bool);
        var states = decoder.Rows(input, inputMask, memory);                     // (N, C): the real input tokens
        Lap?.Invoke("decode");
        // project only the rows with a real target (every real input token but its sentence's last):
        // the vocabulary projection dominates the cost
        var keep = clean.Mask[.., 1..].masked_select(real).nonzero().squeeze(1); // (M,)
        var logits = decoder.Logits(states.index_select(0, keep));               // (M, V)
        var loss = nn.functional.cross_entropy(Autocast.Float(logits), target.masked_select(real).index_select(0, keep));
        Lap?.Invoke("project");
        return loss;
    }
}
