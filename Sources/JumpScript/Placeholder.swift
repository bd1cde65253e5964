import JumpEngine
