using PhaseTune.Inference;

namespace PhaseTune.ModelFiles;

/// <summary>Opens whatever classifier folder a user points at: an export folder (export.json) runs on OnnxRuntime,
/// a saved model folder on TorchSharp; both predict the same.</summary>
public static class ClassifierLoader
{
    public static ITextClassifier Load(string folder, InferenceOptions? onnxOptions = null) =>
        ExportManifest.IsExportFolder(folder) ? new OnnxTextClassifier(folder, onnxOptions) : ClassifierDirectory.Load(folder);
}
