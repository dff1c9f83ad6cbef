pub struct SynthOptions { pub scale: Option<(u32,u32,u32)>, pub seed: u64 }
pub struct Summary { pub files: usize }
pub fn write_release(_: &std::path::Path, _: &SynthOptions) -> std::io::Result<Summary> { Ok(Summary{files:0}) }
